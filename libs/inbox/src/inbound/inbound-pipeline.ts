import { Injectable } from '@nestjs/common';
import { PrismaService } from '@bandeja/core';
import type { InboundMessage, InboundSink, ReceiptEvent } from '@bandeja/whatsapp';
import { InboundStore, StoredInbound } from './inbound-store';

const RECEIPT_ORDER = {
  PENDING: 0,
  SENT: 1,
  DELIVERED: 2,
  READ: 3,
  FAILED: 4,
  RECEIVED: 0,
} as const;

/**
 * Where every provider's inbound messages enter (Baileys from the worker, the Simulator from its
 * HTTP endpoint). Storing comes first; processing (bot, follow-ups) hangs off the stored row.
 */
@Injectable()
export class InboundPipeline implements InboundSink {
  constructor(
    private readonly store: InboundStore,
    private readonly prisma: PrismaService,
  ) {}

  accept(message: InboundMessage): Promise<StoredInbound> {
    return this.store.store({
      servicePointId: message.servicePointId,
      providerMessageId: message.providerMessageId,
      customerPhone: message.customerPhone,
      pushName: message.pushName,
      text: message.text,
      fromMe: message.fromMe,
      timestamp: message.timestamp,
    });
  }

  /** Moves an outbound message forward (never back: a late DELIVERED does not undo READ). */
  async receipt(event: ReceiptEvent): Promise<void> {
    const allowedFrom = (Object.keys(RECEIPT_ORDER) as (keyof typeof RECEIPT_ORDER)[]).filter(
      (s) => s !== 'RECEIVED' && s !== 'FAILED' && RECEIPT_ORDER[s] < RECEIPT_ORDER[event.status],
    );
    await this.prisma.message.updateMany({
      where: {
        servicePointId: event.servicePointId,
        providerMessageId: event.providerMessageId,
        direction: 'OUT',
        status: { in: event.status === 'FAILED' ? ['PENDING', 'SENT'] : allowedFrom },
      },
      data: { status: event.status },
    });
  }
}
