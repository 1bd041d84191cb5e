import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  Coalescer,
  DomainEvents,
  Message,
  Prisma,
  PrismaService,
  QUEUES,
  QueueFactory,
} from '@bandeja/core';
import { createHash, randomUUID } from 'node:crypto';
import { toMessageView } from '../conversations/conversation.view';
import { messageFromJson } from '../sql-rows';
import { CHANNEL_SENDER } from '../pipeline/channel-sender';
import type { ChannelSender } from '../pipeline/channel-sender';

/** Attempts before an outbound message is FAILED; delays grow 1 s, 2 s, 4 s … capped at 60 s. */
export const MAX_SEND_ATTEMPTS = 6;
/** A claim older than this belongs to a worker that died mid-send; the row may be taken again. */
export const CLAIM_TTL_MS = 60_000;

/**
 * WhatsApp ids look like "3EB0…" hex; ours are derived from the row id, so a re-send after a crash
 * is the same WhatsApp message (the phone shows it once), not a second one.
 */
export function providerIdFor(messageId: string): string {
  return `3EB0${createHash('sha256').update(messageId).digest('hex').slice(0, 18).toUpperCase()}`;
}

/** An outbound row claimed for sending, with what sending needs. */
export interface ClaimedOutbound {
  id: string;
  servicePointId: string;
  content: string;
  sendAttempts: number;
  customerPhone: string;
}

/** A customer message done by the worker, with the bot's reply to insert (or none). */
interface Completion {
  messageId: string;
  reply: { conversationId: string; servicePointId: string; content: string } | null;
}

/** What the worker's statements batch: up to this many rows, a few batches at once. */
const BATCH = { maxBatch: 100, maxInFlight: 4 };

/**
 * The outbox shared by bot and agents: a PENDING row first, then delivery through the same
 * point's session. A row is claimed before sending, so two workers never send it at once, and
 * only a successful send marks it SENT.
 */
@Injectable()
export class OutboundService {
  private readonly logger = new Logger(OutboundService.name);
  /** Concurrent completions (one per conversation a worker is on) share one statement. */
  private readonly completions = new Coalescer<Completion, Message | null>(
    (items) => this.completeMany(items),
    BATCH,
  );
  /** Concurrent successful sends are marked SENT by one statement. */
  private readonly sentMarks = new Coalescer<{ id: string; providerMessageId: string }, Message>(
    (items) => this.markSentMany(items),
    BATCH,
  );

  constructor(
    private readonly prisma: PrismaService,
    private readonly queues: QueueFactory,
    private readonly events: DomainEvents,
    @Optional() @Inject(CHANNEL_SENDER) private readonly sender?: ChannelSender,
  ) {}

  /** Inserts a PENDING outbound row (inside the caller's transaction when given). */
  async createPending(
    data: {
      conversationId: string;
      servicePointId: string;
      content: string;
      senderType: 'BOT' | 'AGENT';
      senderUserId?: string | null;
    },
    tx?: Prisma.TransactionClient,
  ): Promise<Message> {
    const message = await (tx ?? this.prisma).message.create({
      data: {
        conversationId: data.conversationId,
        servicePointId: data.servicePointId,
        direction: 'OUT',
        senderType: data.senderType,
        senderUserId: data.senderUserId ?? null,
        content: data.content,
        status: 'PENDING',
      },
    });
    await (tx ?? this.prisma).conversation.update({
      where: { id: data.conversationId },
      data: { lastMessageAt: message.timestamp, lastMessagePreview: data.content.slice(0, 120) },
    });
    return message;
  }

  /**
   * Marks a customer message processed and, when the bot answers, inserts the reply PENDING and
   * moves the conversation: one statement, so both happen or neither. The reply is born claimed
   * by the caller (first attempt), who sends it at once with `sendClaimed`; if the caller dies
   * first, the claim expires and the sweep's `deliver` takes the row. Returns the reply row (null
   * when there is none, or when another worker had already processed the message).
   */
  completeInbound(
    messageId: string,
    reply: { conversationId: string; servicePointId: string; content: string } | null,
  ): Promise<Message | null> {
    return this.completions.submit({ messageId, reply });
  }

  /**
   * One statement for a batch of completions: marks each message processed (only if it was not
   * yet) and inserts the replies of those it marked, born claimed, then moves their conversations.
   */
  private async completeMany(items: Completion[]): Promise<(Message | null)[]> {
    const replyIds = items.map(() => randomUUID());
    const messageIds = items.map((c) => c.messageId);
    const conversationIds = items.flatMap((c) => (c.reply ? [c.reply.conversationId] : []));
    // The `= ANY(...)` conditions repeat the joins so the planner probes indexes instead of
    // scanning (it cannot size the unnest of a parameter).
    const rows = await this.prisma.$queryRaw<{ message: Message }[]>`
      WITH i AS (
        SELECT * FROM unnest(
          ${messageIds}::uuid[], ${replyIds}::uuid[],
          ${items.map((c) => c.reply !== null)}::boolean[],
          -- Rows without a reply carry their message id as a stand-in uuid; has_reply keeps them out.
          ${items.map((c) => c.reply?.conversationId ?? c.messageId)}::uuid[],
          ${items.map((c) => c.reply?.servicePointId ?? c.messageId)}::uuid[],
          ${items.map((c) => c.reply?.content ?? '')}::text[]
        ) AS t(message_id, reply_id, has_reply, conversation_id, point_id, content)
      ), p AS (
        UPDATE "Message" m SET "processedAt" = now()
        FROM i WHERE m."id" = i.message_id AND m."id" = ANY(${messageIds}::uuid[]) AND m."processedAt" IS NULL
        RETURNING m."id"
      ), o AS (
        INSERT INTO "Message" ("id", "conversationId", "servicePointId", "direction", "senderType", "content", "status", "timestamp", "createdAt", "updatedAt",
                               "claimedAt", "sendAttempts")
        SELECT i.reply_id, i.conversation_id, i.point_id, 'OUT'::"MessageDirection", 'BOT'::"SenderType",
               i.content, 'PENDING'::"MessageStatus", now(), now(), now(), now(), 1
        FROM i JOIN p ON p."id" = i.message_id
        WHERE i.has_reply
        RETURNING *
      ), c AS (
        UPDATE "Conversation" SET "lastMessageAt" = o."timestamp", "lastMessagePreview" = left(o."content", 120), "updatedAt" = now()
        FROM o WHERE "Conversation"."id" = o."conversationId" AND "Conversation"."id" = ANY(${conversationIds}::uuid[])
        RETURNING "Conversation"."id"
      )
      SELECT row_to_json(o) AS message FROM o`;
    const byId = new Map(rows.map((r) => [r.message.id, messageFromJson(r.message)]));
    return replyIds.map((id) => byId.get(id) ?? null);
  }

  /** Marks sent rows SENT with their provider ids, in one statement for the batch. */
  private async markSentMany(
    items: { id: string; providerMessageId: string }[],
  ): Promise<Message[]> {
    const ids = items.map((i) => i.id);
    const rows = await this.prisma.$queryRaw<{ message: Message }[]>`
      UPDATE "Message" m
      SET "status" = 'SENT'::"MessageStatus", "providerMessageId" = t.provider_id, "claimedAt" = NULL, "error" = NULL, "updatedAt" = now()
      FROM unnest(${ids}::uuid[], ${items.map((i) => i.providerMessageId)}::text[]) AS t(id, provider_id)
      WHERE m."id" = t.id AND m."id" = ANY(${ids}::uuid[])
      RETURNING row_to_json(m) AS message`;
    const byId = new Map(rows.map((r) => [r.message.id, messageFromJson(r.message)]));
    return items.map((i) => {
      const row = byId.get(i.id);
      if (!row) throw new Error(`outbound message ${i.id} is gone`);
      return row;
    });
  }

  /** Hands delivery to a worker (deterministic job id: enqueuing twice is a no-op). */
  async enqueue(messageId: string, delayMs = 0): Promise<void> {
    await this.queues.get(QUEUES.pipeline).add(
      'deliver',
      { messageId },
      {
        jobId: `out_${messageId}`,
        delay: delayMs,
        attempts: MAX_SEND_ATTEMPTS,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /**
   * Sends one PENDING row if nobody else is. Returns the outcome; failures that may heal (the
   * session is reconnecting) are retried with backoff until MAX_SEND_ATTEMPTS, then FAILED.
   */
  async deliver(messageId: string): Promise<'sent' | 'retry' | 'failed' | 'skipped'> {
    if (!this.sender) throw new Error('no channel sender in this process');
    const [row] = await this.prisma.$queryRaw<ClaimedOutbound[]>`
      UPDATE "Message" m SET "claimedAt" = now(), "sendAttempts" = m."sendAttempts" + 1
      WHERE m."id" = ${messageId}::uuid AND m."status" = 'PENDING'::"MessageStatus"
        AND (m."claimedAt" IS NULL OR m."claimedAt" < now() - ${`${CLAIM_TTL_MS} milliseconds`}::interval)
      RETURNING m."id", m."servicePointId", m."content", m."sendAttempts",
        (SELECT c."customerPhone" FROM "Conversation" c WHERE c."id" = m."conversationId") AS "customerPhone"`;
    if (!row) return 'skipped';
    return this.sendClaimed(row);
  }

  /** Sends a row this caller has claimed (by `deliver`, or born claimed by `completeInbound`). */
  async sendClaimed(row: ClaimedOutbound): Promise<'sent' | 'retry' | 'failed'> {
    if (!this.sender) throw new Error('no channel sender in this process');
    const messageId = row.id;
    try {
      const { providerMessageId } = await this.sender.send(
        row.servicePointId,
        row.customerPhone,
        row.content,
        {
          messageId: providerIdFor(row.id),
        },
      );
      const sent = await this.sentMarks.submit({ id: row.id, providerMessageId });
      await this.events.publish('message.updated', row.servicePointId, toMessageView(sent));
      return 'sent';
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (row.sendAttempts >= MAX_SEND_ATTEMPTS) {
        const failed = await this.prisma.message.update({
          where: { id: row.id },
          data: { status: 'FAILED', error: reason.slice(0, 500), claimedAt: null },
        });
        await this.events.publish('message.updated', row.servicePointId, toMessageView(failed));
        this.logger.warn(
          { messageId, servicePointId: row.servicePointId, err: reason },
          'outbound message failed',
        );
        return 'failed';
      }
      // Released for the next attempt; the caller schedules it (job retry with backoff).
      await this.prisma.message.update({
        where: { id: row.id },
        data: { claimedAt: null, error: reason.slice(0, 500) },
      });
      return 'retry';
    }
  }
}
