import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Coalescer, DomainEvents, PrismaService } from '@bandeja/core';
import { ConversationLock } from './conversation-lock';
import { randomUUID } from 'node:crypto';
import { toMessageView } from '../conversations/conversation.view';
import { OutboundService } from '../outbound/outbound.service';
import { ACTIVITY_LISTENER } from '../inbound/activity-listener';
import type { ActivityListener } from '../inbound/activity-listener';
import { RESPONDER } from './responder';
import type { Responder } from './responder';

/** The lock is extended between messages once it is this old (not on every message). */
const LOCK_EXTEND_AFTER_MS = 10_000;

/** The next customer message of a conversation with what handling it needs, read fresh. */
interface NextMessage {
  id: string;
  content: string;
  servicePointId: string;
  customerPhone: string;
  customerName: string | null;
  status: string;
  botEnabled: boolean;
}

interface WaitingRead {
  conversationId: string;
  limit: number;
}

export type ProcessOutcome = 'done' | 'busy';

/**
 * Works through a conversation's unprocessed customer messages strictly in order, one at a time,
 * under a per-conversation lock; different conversations run in parallel. For each: the gate
 * (HUMAN conversation or bot off → no reply; follow-ups are told of the activity either way,
 * here in the worker and in order rather than on the HTTP edge), the responder, the reply as a PENDING row in the
 * same transaction that marks the message processed, then delivery.
 */
@Injectable()
export class ConversationProcessor {
  private readonly logger = new Logger(ConversationProcessor.name);
  /** The reads of all conversations this worker is on at the moment share one statement. */
  private readonly reads = new Coalescer<WaitingRead, NextMessage[]>(
    (items) => this.unprocessedMany(items),
    { maxBatch: 100, maxInFlight: 4 },
  );

  constructor(
    private readonly prisma: PrismaService,
    private readonly lock: ConversationLock,
    private readonly outbound: OutboundService,
    private readonly events: DomainEvents,
    @Inject(RESPONDER) private readonly responder: Responder,
    @Optional() @Inject(ACTIVITY_LISTENER) private readonly activity?: ActivityListener,
  ) {}

  /**
   * 'busy' means another worker holds the conversation: it will see this message too, because a
   * busy job leaves word and the holder goes round once more when it finds word on letting go
   * (so a message stored while it was finishing is never left behind).
   */
  async process(conversationId: string): Promise<ProcessOutcome> {
    for (;;) {
      const token = randomUUID();
      if (!(await this.lock.acquire(conversationId, token))) return 'busy';
      let extendedAt = Date.now();
      let again: boolean;
      try {
        // Two rows tell whether another message is waiting; when only one was, a message stored
        // meanwhile has a job, and that job leaves word (ConversationLock), so no read is needed after it.
        let pending = await this.unprocessed(conversationId, 2);
        while (pending.length > 0) {
          if (Date.now() - extendedAt > LOCK_EXTEND_AFTER_MS) {
            await this.lock.extend(conversationId);
            extendedAt = Date.now();
          }
          await this.handle(pending[0], conversationId);
          pending = pending.length > 1 ? await this.unprocessed(conversationId, 2) : [];
        }
      } finally {
        again = await this.lock
          .release(conversationId, token)
          // Unsure whether word was left: look in the database instead.
          .catch(async () => (await this.unprocessed(conversationId, 1)).length > 0);
      }
      if (!again) return 'done';
    }
  }

  /** The oldest unprocessed customer messages, with their conversation and bot switch. */
  private unprocessed(conversationId: string, limit: number): Promise<NextMessage[]> {
    return this.reads.submit({ conversationId, limit });
  }

  /** One statement for many conversations: each one's first `limit` waiting messages, in order. */
  private async unprocessedMany(items: WaitingRead[]): Promise<NextMessage[][]> {
    const ids = items.map((i) => i.conversationId);
    // `c."id" = ANY(...)` beside the join: the planner cannot size an unnest of a parameter, and
    // guessing 100 rows it would rather scan a small table than probe its index (see bench/README).
    const rows = await this.prisma.$queryRaw<(NextMessage & { slot: number })[]>`
      SELECT i.slot::int AS "slot", m."id", m."content", c."servicePointId", c."customerPhone", c."customerName",
             c."status"::text AS "status", sp."botEnabled"
      FROM unnest(${ids}::uuid[], ${items.map((i) => i.limit)}::int[])
           WITH ORDINALITY AS i(conversation_id, lim, slot)
      JOIN "Conversation" c ON c."id" = i.conversation_id AND c."id" = ANY(${ids}::uuid[])
      JOIN "ServicePoint" sp ON sp."id" = c."servicePointId"
      CROSS JOIN LATERAL (
        SELECT m."id", m."content", m."timestamp" AS ts, m."createdAt" AS created FROM "Message" m
        WHERE m."conversationId" = i.conversation_id AND m."processedAt" IS NULL AND m."direction" = 'IN'::"MessageDirection"
        ORDER BY m."timestamp", m."createdAt", m."id"
        LIMIT i.lim
      ) m
      ORDER BY i.slot, m.ts, m.created, m."id"`;
    const out: NextMessage[][] = items.map(() => []);
    for (const { slot, ...row } of rows) out[slot - 1].push(row);
    return out;
  }

  private async handle(message: NextMessage, conversationId: string): Promise<void> {
    const messageId = message.id;
    // Follow-ups must not hold up or fail the reply: the listener's trouble is only logged.
    await this.activity
      ?.customerActivity({
        servicePointId: message.servicePointId,
        conversationId,
        messageId,
        at: new Date(),
      })
      .catch((err: Error) =>
        this.logger.warn({ messageId, err: err.message }, 'activity hook failed'),
      );
    const botAnswers = message.status === 'BOT' && message.botEnabled;
    const reply = botAnswers
      ? await this.responder.reply({
          servicePointId: message.servicePointId,
          conversationId,
          customerPhone: message.customerPhone,
          customerName: message.customerName,
          messageId,
          text: message.content,
        })
      : null;
    // The reply row and "processed" commit together: a crash leaves either both or neither.
    const outgoing = await this.outbound.completeInbound(
      messageId,
      reply
        ? { conversationId, servicePointId: message.servicePointId, content: reply.text }
        : null,
    );
    if (!outgoing) return;
    await this.events.publish('message.created', outgoing.servicePointId, toMessageView(outgoing));
    const result = await this.outbound
      .sendClaimed({ ...outgoing, customerPhone: message.customerPhone })
      .catch((err: Error) => {
        this.logger.warn({ messageId: outgoing.id, err: err.message }, 'inline delivery failed');
        return 'retry' as const;
      });
    if (result === 'retry') await this.outbound.enqueue(outgoing.id, 1000).catch(() => undefined);
  }
}
