import type { InboundMessage, ReceiptEvent } from '../channel/channel.types';

/** Where sessions hand what arrives: the inbox pipeline in the worker. */
export interface InboundSink {
  accept(message: InboundMessage): Promise<unknown>;
  receipt(event: ReceiptEvent): Promise<unknown>;
}

export const INBOUND_SINK = Symbol('INBOUND_SINK');
