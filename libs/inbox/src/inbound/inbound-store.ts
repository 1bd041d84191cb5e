import { Injectable } from '@nestjs/common';
import { Coalescer, Conversation, Message, Prisma, PrismaService, uuid7 } from '@bandeja/core';
import { randomUUID } from 'node:crypto';
import { conversationFromJson, messageFromJson } from '../sql-rows';

export interface IncomingRow {
  servicePointId: string;
  providerMessageId: string;
  customerPhone: string;
  pushName: string | null;
  text: string;
  fromMe: boolean;
  timestamp: Date;
}

export interface StoredInbound {
  messageId: string;
  conversationId: string;
  duplicate: boolean;
  /** The rows as they are now (new messages only): for live events without re-reading. */
  message?: Message;
  conversation?: Conversation;
}

/** A row with the id its message gets if it is new (made at call time: arrival order). */
interface Pending extends IncomingRow {
  id: string;
}

interface BatchRow {
  key: string;
  message: Message | null;
  conversation: Conversation | null;
  existingId: string | null;
  existingConversationId: string | null;
}

const PREVIEW_LENGTH = 120;
const BATCH = { maxBatch: 200, maxInFlight: 4 };

const messageKey = (r: IncomingRow) => `${r.servicePointId}\u0000${r.providerMessageId}`;
const conversationKey = (r: IncomingRow) => `${r.servicePointId}\u0000${r.customerPhone}`;

/**
 * The first step of the pipeline. Concurrent calls are stored together (Coalescer), in two SQL
 * statements per batch and no interactive transaction: the conversations exist (insert of the
 * batch's distinct point and phone pairs, ON CONFLICT DO NOTHING: once it returns, every pair's
 * row is committed and visible to the next statement); then one statement inserts the messages
 * whose (point, provider id) the database does not have yet, moves each touched conversation's
 * counters once for all of its new messages, and answers the new rows, or the stored ids of the
 * duplicates. Concurrent redeliveries race safely on the unique constraints.
 *
 * Message ids are uuid7s made in call order: the rows of one statement share `now()`, and the
 * pipeline orders a conversation by ("timestamp", "createdAt", "id").
 */
@Injectable()
export class InboundStore {
  private readonly batches = new Coalescer<Pending, StoredInbound>(
    (rows) => this.storeMany(rows),
    BATCH,
  );

  constructor(private readonly prisma: PrismaService) {}

  store(row: IncomingRow): Promise<StoredInbound> {
    return this.batches.submit({ ...row, id: uuid7() });
  }

  private async storeMany(rows: Pending[]): Promise<StoredInbound[]> {
    // The same provider message twice in a batch: only its first occurrence goes to the database.
    const firstOf = new Map<string, Pending>();
    for (const r of rows) if (!firstOf.has(messageKey(r))) firstOf.set(messageKey(r), r);
    const unique = [...firstOf.values()];
    await this.ensureConversations(unique);
    const results = await this.insertMessages(unique);
    const missing = unique.filter((r) => !results.has(r.id));
    if (missing.length > 0) {
      // Duplicates of rows committed by others after this statement began (not in its snapshot).
      const found = await this.prisma.message.findMany({
        where: {
          OR: missing.map((r) => ({
            servicePointId: r.servicePointId,
            providerMessageId: r.providerMessageId,
          })),
        },
        select: { id: true, conversationId: true, servicePointId: true, providerMessageId: true },
      });
      const byKey = new Map<string, (typeof found)[number]>(
        found.map((f) => [`${f.servicePointId}\u0000${f.providerMessageId}`, f]),
      );
      for (const r of missing) {
        const f = byKey.get(messageKey(r));
        if (f) {
          results.set(r.id, { messageId: f.id, conversationId: f.conversationId, duplicate: true });
        }
      }
    }
    return rows.map((r) => {
      const first = firstOf.get(messageKey(r))!;
      const stored = results.get(first.id);
      if (!stored) throw new Error(`inbound message ${r.providerMessageId} was not stored`);
      if (first === r) return stored;
      return {
        messageId: stored.messageId,
        conversationId: stored.conversationId,
        duplicate: true,
      };
    });
  }

  /** One insert for the batch's distinct conversations (sorted: concurrent batches never deadlock). */
  private async ensureConversations(rows: Pending[]): Promise<void> {
    const pairs = new Map<string, Pending>();
    for (const r of rows) if (!pairs.has(conversationKey(r))) pairs.set(conversationKey(r), r);
    const firsts = [...pairs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const list = firsts.map(([, r]) => r);
    await this.prisma.$executeRaw`
      INSERT INTO "Conversation" ("id", "servicePointId", "customerPhone", "customerName", "lastMessageAt", "createdAt", "updatedAt")
      SELECT t.id, t.point, t.phone, t.name, t.at, now(), now()
      FROM unnest(
        ${list.map(() => randomUUID())}::uuid[], ${list.map((r) => r.servicePointId)}::uuid[],
        ${list.map((r) => r.customerPhone)}::text[],
        ${list.map((r) => (r.fromMe ? null : r.pushName))}::text[],
        ${list.map((r) => r.timestamp.toISOString())}::timestamptz[]
      ) AS t(id, point, phone, name, at)
      ON CONFLICT ("servicePointId", "customerPhone") DO NOTHING`;
  }

  /**
   * One statement: insert the new messages, move their conversations' counters (aggregated, one
   * update per conversation, rows locked in id order), and answer the new rows and the stored ids
   * of the duplicates this statement can see. Keyed by the input row's id.
   */
  private async insertMessages(rows: Pending[]): Promise<Map<string, StoredInbound>> {
    // The `= ANY(...)` conditions repeat the joins to the input so the planner probes the unique
    // indexes instead of scanning the tables (it cannot size the unnest of a parameter).
    const points = [...new Set(rows.map((r) => r.servicePointId))];
    const phones = [...new Set(rows.map((r) => r.customerPhone))];
    const providerIds = rows.map((r) => r.providerMessageId);
    const mine = Prisma.sql`c."servicePointId" = ANY(${points}::uuid[]) AND c."customerPhone" = ANY(${phones}::text[])`;
    const out = await this.prisma.$queryRaw<BatchRow[]>`
      WITH i AS (
        SELECT * FROM unnest(
          ${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.servicePointId)}::uuid[],
          ${rows.map((r) => r.customerPhone)}::text[], ${rows.map((r) => r.providerMessageId)}::text[],
          ${rows.map((r) => r.pushName)}::text[], ${rows.map((r) => r.text)}::text[],
          ${rows.map((r) => r.text.slice(0, PREVIEW_LENGTH))}::text[],
          ${rows.map((r) => r.fromMe)}::boolean[], ${rows.map((r) => r.timestamp.toISOString())}::timestamptz[]
        ) AS t(id, point, phone, provider_id, push_name, content, preview, from_me, ts)
      ), s AS (
        SELECT i.*, c."id" AS conversation_id
        FROM i JOIN "Conversation" c ON c."servicePointId" = i.point AND c."customerPhone" = i.phone AND ${mine}
      ), m AS (
        INSERT INTO "Message" ("id", "conversationId", "servicePointId", "direction", "senderType", "content", "status",
                               "providerMessageId", "timestamp", "createdAt", "updatedAt", "processedAt")
        SELECT s.id, s.conversation_id, s.point,
               (CASE WHEN s.from_me THEN 'OUT' ELSE 'IN' END)::"MessageDirection",
               (CASE WHEN s.from_me THEN 'AGENT' ELSE 'CUSTOMER' END)::"SenderType",
               s.content,
               (CASE WHEN s.from_me THEN 'SENT' ELSE 'RECEIVED' END)::"MessageStatus",
               s.provider_id, s.ts, now(), now(),
               CASE WHEN s.from_me THEN now() END
        FROM s ORDER BY s.point, s.provider_id
        ON CONFLICT ("servicePointId", "providerMessageId") DO NOTHING
        RETURNING *
      ), a AS (
        SELECT m."conversationId" AS id,
               count(*) FILTER (WHERE NOT s.from_me)::int AS inbound,
               bool_or(s.from_me) AS from_me,
               max(s.ts) FILTER (WHERE NOT s.from_me) AS last_inbound,
               max(s.ts) AS last_at,
               (array_agg(s.preview ORDER BY s.ts DESC, s.id DESC))[1] AS preview,
               (array_agg(s.push_name ORDER BY s.id DESC)
                  FILTER (WHERE NOT s.from_me AND s.push_name IS NOT NULL))[1] AS push_name
        FROM m JOIN s ON s.id = m."id"
        GROUP BY m."conversationId"
      ), l AS (
        SELECT c."id" FROM "Conversation" c WHERE ${mine} AND c."id" IN (SELECT a.id FROM a)
        ORDER BY c."id" FOR NO KEY UPDATE
      ), u AS (
        UPDATE "Conversation" c SET
          "unreadCount" = c."unreadCount" + a.inbound,
          "lastInboundAt" = GREATEST(c."lastInboundAt", a.last_inbound),
          "customerName" = COALESCE(a.push_name, c."customerName"),
          -- Typed on the branch's phone: a person is talking there, so the bot steps aside.
          "status" = CASE WHEN a.from_me THEN 'HUMAN'::"ConversationStatus" ELSE c."status" END,
          "lastMessagePreview" = CASE WHEN a.last_at >= c."lastMessageAt" THEN a.preview ELSE c."lastMessagePreview" END,
          "lastMessageAt" = GREATEST(c."lastMessageAt", a.last_at),
          "updatedAt" = now()
        FROM a JOIN l ON l."id" = a.id
        WHERE c."id" = a.id AND ${mine}
        RETURNING c.*
      )
      SELECT m."id"::text AS "key", row_to_json(m) AS "message", row_to_json(u) AS "conversation",
             NULL::text AS "existingId", NULL::text AS "existingConversationId"
      FROM m JOIN u ON u."id" = m."conversationId"
      UNION ALL
      SELECT s.id::text, NULL::json, NULL::json, e."id"::text, e."conversationId"::text
      FROM s JOIN "Message" e ON e."servicePointId" = s.point AND e."providerMessageId" = s.provider_id
        AND e."servicePointId" = ANY(${points}::uuid[]) AND e."providerMessageId" = ANY(${providerIds}::text[])`;
    const results = new Map<string, StoredInbound>();
    for (const r of out) {
      if (r.message && r.conversation) {
        results.set(r.key, {
          messageId: r.message.id,
          conversationId: r.message.conversationId,
          duplicate: false,
          message: messageFromJson(r.message),
          conversation: conversationFromJson(r.conversation),
        });
      } else if (r.existingId && r.existingConversationId && !results.has(r.key)) {
        results.set(r.key, {
          messageId: r.existingId,
          conversationId: r.existingConversationId,
          duplicate: true,
        });
      }
    }
    return results;
  }
}
