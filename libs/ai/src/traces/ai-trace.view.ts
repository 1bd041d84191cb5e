import type { AiTrace } from '@bandeja/core';

export function toAiTraceView(row: AiTrace) {
  return {
    id: row.id,
    conversationId: row.conversationId,
    servicePointId: row.servicePointId,
    messageId: row.messageId,
    provider: row.provider,
    outcome: row.outcome,
    toolCalls: row.toolCalls,
    reply: row.reply,
    latencyMs: row.latencyMs,
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    fallbackUsed: row.fallbackUsed,
    createdAt: row.createdAt,
  };
}
export type AiTraceView = ReturnType<typeof toAiTraceView>;
