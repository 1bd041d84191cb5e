-- CreateTable
CREATE TABLE "LeadState" (
    "conversationId" UUID NOT NULL,
    "servicePointId" UUID NOT NULL,
    "operationalStatus" TEXT NOT NULL DEFAULT 'contactable',
    "businessStatus" TEXT,
    "pausedUntil" TIMESTAMPTZ(3),
    "windowMessageCount" INTEGER NOT NULL DEFAULT 0,
    "lastActivityAt" TIMESTAMPTZ(3),
    "lastPingAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "LeadState_pkey" PRIMARY KEY ("conversationId")
);

-- CreateTable
CREATE TABLE "ScheduledItem" (
    "id" UUID NOT NULL,
    "conversationId" UUID NOT NULL,
    "servicePointId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "scheduledAt" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "dependent" BOOLEAN NOT NULL DEFAULT true,
    "note" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ScheduledItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" UUID NOT NULL,
    "servicePointId" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMPTZ(3),

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BusinessStatus" (
    "id" UUID NOT NULL,
    "servicePointId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BusinessStatus_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LeadState_servicePointId_idx" ON "LeadState"("servicePointId");

-- CreateIndex
CREATE INDEX "ScheduledItem_conversationId_status_idx" ON "ScheduledItem"("conversationId", "status");

-- CreateIndex
CREATE INDEX "ScheduledItem_status_scheduledAt_idx" ON "ScheduledItem"("status", "scheduledAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_status_nextAttemptAt_idx" ON "WebhookDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_servicePointId_createdAt_idx" ON "WebhookDelivery"("servicePointId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "BusinessStatus_servicePointId_name_key" ON "BusinessStatus"("servicePointId", "name");
