-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "claimedAt" TIMESTAMPTZ(3),
ADD COLUMN     "processedAt" TIMESTAMPTZ(3),
ADD COLUMN     "sendAttempts" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Message_conversationId_processedAt_timestamp_idx" ON "Message"("conversationId", "processedAt", "timestamp");

-- CreateIndex
CREATE INDEX "Message_direction_processedAt_createdAt_idx" ON "Message"("direction", "processedAt", "createdAt");
