/** Sends through a point's own WhatsApp session (the worker's SessionManager implements it). */
export interface ChannelSender {
  send(
    servicePointId: string,
    to: string,
    text: string,
    options?: { messageId?: string },
  ): Promise<{ providerMessageId: string }>;
}

export const CHANNEL_SENDER = Symbol('CHANNEL_SENDER');
