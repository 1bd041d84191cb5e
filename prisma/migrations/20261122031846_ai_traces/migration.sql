-- The local bot engine ranks FAQs with trigram similarity over accent-free text.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- CreateTable
CREATE TABLE "AiTrace" (
    "id" UUID NOT NULL,
    "conversationId" UUID NOT NULL,
    "servicePointId" UUID NOT NULL,
    "messageId" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "toolCalls" JSONB NOT NULL,
    "reply" TEXT,
    "latencyMs" INTEGER NOT NULL,
    "promptTokens" INTEGER,
    "completionTokens" INTEGER,
    "fallbackUsed" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AiTrace_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AiTrace_conversationId_createdAt_id_idx" ON "AiTrace"("conversationId", "createdAt", "id");
