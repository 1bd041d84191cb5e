import type { Conversation, Message } from '@bandeja/core';

/** WhatsApp's customer-service window: free-form replies within 24 h of the customer's last message. */
export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

export function isWindowOpen(lastInboundAt: Date | null, now: number = Date.now()): boolean {
  return lastInboundAt !== null && now - lastInboundAt.getTime() < SERVICE_WINDOW_MS;
}

export function toConversationView(row: Conversation, now: number = Date.now()) {
  return {
    id: row.id,
    servicePointId: row.servicePointId,
    customerPhone: row.customerPhone,
    customerName: row.customerName,
    status: row.status,
    assignedToUserId: row.assignedToUserId,
    lastMessageAt: row.lastMessageAt,
    lastMessagePreview: row.lastMessagePreview,
    unreadCount: row.unreadCount,
    lastInboundAt: row.lastInboundAt,
    windowOpen: isWindowOpen(row.lastInboundAt, now),
  };
}
export type ConversationView = ReturnType<typeof toConversationView>;

export function toMessageView(row: Message) {
  return {
    id: row.id,
    conversationId: row.conversationId,
    servicePointId: row.servicePointId,
    direction: row.direction,
    senderType: row.senderType,
    senderUserId: row.senderUserId,
    content: row.content,
    status: row.status,
    providerMessageId: row.providerMessageId,
    timestamp: row.timestamp,
  };
}
export type MessageView = ReturnType<typeof toMessageView>;
