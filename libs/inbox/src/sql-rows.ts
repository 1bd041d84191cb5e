import type { Conversation, Message } from '@bandeja/core';

/** row_to_json() gives timestamps as strings; the rest of the code expects Dates. */
function reviveDates<T>(row: T, fields: readonly string[]): T {
  const out = { ...row } as Record<string, unknown>;
  for (const f of fields) if (typeof out[f] === 'string') out[f] = new Date(out[f] as string);
  return out as T;
}

export const messageFromJson = (row: Message): Message =>
  reviveDates(row, ['timestamp', 'createdAt', 'updatedAt', 'processedAt', 'claimedAt']);

export const conversationFromJson = (row: Conversation): Conversation =>
  reviveDates(row, ['lastMessageAt', 'lastInboundAt', 'createdAt', 'updatedAt']);
