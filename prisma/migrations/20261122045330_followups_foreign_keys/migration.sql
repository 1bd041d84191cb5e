-- Rows left behind by a deleted conversation or point (possible before these keys existed) go first
DELETE FROM "LeadState" l WHERE NOT EXISTS (SELECT 1 FROM "Conversation" c WHERE c."id" = l."conversationId");
DELETE FROM "ScheduledItem" s WHERE NOT EXISTS (SELECT 1 FROM "Conversation" c WHERE c."id" = s."conversationId");
DELETE FROM "WebhookDelivery" w WHERE NOT EXISTS (SELECT 1 FROM "ServicePoint" p WHERE p."id" = w."servicePointId");
DELETE FROM "BusinessStatus" b WHERE NOT EXISTS (SELECT 1 FROM "ServicePoint" p WHERE p."id" = b."servicePointId");

-- AddForeignKey
ALTER TABLE "LeadState" ADD CONSTRAINT "LeadState_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LeadState" ADD CONSTRAINT "LeadState_servicePointId_fkey" FOREIGN KEY ("servicePointId") REFERENCES "ServicePoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScheduledItem" ADD CONSTRAINT "ScheduledItem_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScheduledItem" ADD CONSTRAINT "ScheduledItem_servicePointId_fkey" FOREIGN KEY ("servicePointId") REFERENCES "ServicePoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_servicePointId_fkey" FOREIGN KEY ("servicePointId") REFERENCES "ServicePoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BusinessStatus" ADD CONSTRAINT "BusinessStatus_servicePointId_fkey" FOREIGN KEY ("servicePointId") REFERENCES "ServicePoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;
