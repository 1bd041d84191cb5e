import { Injectable, Logger } from '@nestjs/common';
import { Coalescer, DomainEvents, PrismaService, QueueFactory } from '@bandeja/core';
import type { InboundMessage, InboundSink, ReceiptEvent } from '@bandeja/whatsapp';
import { toConversationView, toMessageView } from '../conversations/conversation.view';
import { enqueueInboundBulk } from '../pipeline/jobs';
import { InboundStore, StoredInbound } from './inbound-store';

/** A newly stored message whose job and live events are still to go. */
interface Announcement {
  stored: StoredInbound;
  fromMe: boolean;
}

const RECEIPT_RANK = { PENDING: 0, SENT: 1, DELIVERED: 2, READ: 3 } as const;

/**
 * Where every provider's inbound messages enter (Baileys from the worker, the Simulator from its
 * HTTP endpoint). The row comes first; then a job asks a worker to process the conversation. If
 * Redis is down at that moment the row is still there and the worker's sweep finds it.
 */
@Injectable()
export class InboundPipeline implements InboundSink {
  private readonly logger = new Logger(InboundPipeline.name);
  /** Concurrently stored messages: their jobs in one `addBulk`, their events in one round trip. */
  private readonly announcements = new Coalescer<Announcement, void>(
    (items) => this.announce(items),
    { maxBatch: 500, maxInFlight: 4 },
  );

  constructor(
    private readonly store: InboundStore,
    private readonly prisma: PrismaService,
    private readonly queues: QueueFactory,
    private readonly events: DomainEvents,
  ) {}

  async accept(message: InboundMessage): Promise<StoredInbound> {
    const stored = await this.store.store({
      servicePointId: message.servicePointId,
      providerMessageId: message.providerMessageId,
      customerPhone: message.customerPhone,
      pushName: message.pushName,
      text: message.text,
      fromMe: message.fromMe,
      timestamp: message.timestamp,
    });
    if (stored.duplicate) return stored;
    await this.announcements.submit({ stored, fromMe: message.fromMe });
    return stored;
  }

  /** Moves an outbound message forward (never back: a late DELIVERED does not undo READ). */
  async receipt(event: ReceiptEvent): Promise<void> {
    const from =
      event.status === 'FAILED'
        ? (['PENDING', 'SENT'] as const)
        : (Object.keys(RECEIPT_RANK) as (keyof typeof RECEIPT_RANK)[]).filter(
            (s) => RECEIPT_RANK[s] < RECEIPT_RANK[event.status as 'DELIVERED' | 'READ'],
          );
    const where = {
      servicePointId: event.servicePointId,
      providerMessageId: event.providerMessageId,
      direction: 'OUT' as const,
      status: { in: [...from] },
    };
    const { count } = await this.prisma.message.updateMany({
      where,
      data: { status: event.status },
    });
    if (count === 0) return;
    const row = await this.prisma.message.findFirst({
      where: { servicePointId: event.servicePointId, providerMessageId: event.providerMessageId },
    });
    if (row) await this.events.publish('message.updated', row.servicePointId, toMessageView(row));
  }

  /** Never throws: enqueue failures are logged (the sweep recovers), events are best effort. */
  private async announce(items: Announcement[]): Promise<void[]> {
    const jobs = items
      .filter((i) => !i.fromMe)
      .map((i) => ({ conversationId: i.stored.conversationId, messageId: i.stored.messageId }));
    await enqueueInboundBulk(this.queues, jobs).catch((err: Error) =>
      this.logger.warn(
        { messageIds: jobs.map((j) => j.messageId), err: err.message },
        'processing jobs not enqueued; the sweep will pick them up',
      ),
    );
    const events: { type: string; servicePointId: string; data: unknown }[] = [];
    for (const { stored } of items) {
      if (stored.message) {
        events.push({
          type: 'message.created',
          servicePointId: stored.message.servicePointId,
          data: toMessageView(stored.message),
        });
      }
      if (stored.conversation) {
        events.push({
          type: 'conversation.updated',
          servicePointId: stored.conversation.servicePointId,
          data: toConversationView(stored.conversation),
        });
      }
    }
    await this.events.publishMany(events); // best effort: logs, never throws
    return items.map(() => undefined);
  }
}
