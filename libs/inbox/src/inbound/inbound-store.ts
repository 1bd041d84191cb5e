import { Injectable } from '@nestjs/common';
import { Conversation, Message, Prisma, PrismaService } from '@bandeja/core';
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

const PREVIEW_LENGTH = 120;

/**
 * The first step of the pipeline, in two single SQL statements (no interactive transaction, so a
 * burst never waits on the pool for one): the conversation row exists (upsert on the point and
 * the customer's phone); then one statement inserts the message unless the database already has
 * its (point, provider id) and, only for a new message, moves the conversation's counters.
 * Concurrent redeliveries race safely on the unique constraints.
 */
@Injectable()
export class InboundStore {
  constructor(private readonly prisma: PrismaService) {}

  async store(row: IncomingRow): Promise<StoredInbound> {
    const preview = row.text.slice(0, PREVIEW_LENGTH);
    const [conversation] = await this.prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO "Conversation" ("id", "servicePointId", "customerPhone", "customerName", "lastMessageAt", "createdAt", "updatedAt")
      VALUES (${randomUUID()}::uuid, ${row.servicePointId}::uuid, ${row.customerPhone}, ${row.fromMe ? null : row.pushName}, ${row.timestamp}, now(), now())
      ON CONFLICT ("servicePointId", "customerPhone") DO UPDATE SET "updatedAt" = "Conversation"."updatedAt"
      RETURNING "id"`;
    const direction = row.fromMe ? 'OUT' : 'IN';
    const senderType = row.fromMe ? 'AGENT' : 'CUSTOMER';
    const status = row.fromMe ? 'SENT' : 'RECEIVED';
    const counters: Prisma.Sql = row.fromMe
      ? // Typed on the branch's phone: a person is talking there, so the bot steps aside.
        Prisma.sql`"status" = 'HUMAN'::"ConversationStatus"`
      : Prisma.sql`"unreadCount" = c."unreadCount" + 1,
                   "lastInboundAt" = GREATEST(COALESCE(c."lastInboundAt", ${row.timestamp}), ${row.timestamp}),
                   "customerName" = COALESCE(${row.pushName}, c."customerName")`;
    const inserted = await this.prisma.$queryRaw<
      { message: Message; conversation: Conversation }[]
    >`
      WITH m AS (
        INSERT INTO "Message" ("id", "conversationId", "servicePointId", "direction", "senderType", "content", "status",
                               "providerMessageId", "timestamp", "createdAt", "updatedAt", "processedAt")
        VALUES (${randomUUID()}::uuid, ${conversation.id}::uuid, ${row.servicePointId}::uuid, ${direction}::"MessageDirection",
                ${senderType}::"SenderType", ${row.text}, ${status}::"MessageStatus", ${row.providerMessageId}, ${row.timestamp},
                now(), now(), ${row.fromMe ? new Date() : null})
        ON CONFLICT ("servicePointId", "providerMessageId") DO NOTHING
        RETURNING *
      ), u AS (
        UPDATE "Conversation" c SET ${counters},
          "lastMessagePreview" = CASE WHEN ${row.timestamp} >= c."lastMessageAt" THEN ${preview} ELSE c."lastMessagePreview" END,
          "lastMessageAt" = GREATEST(c."lastMessageAt", ${row.timestamp}),
          "updatedAt" = now()
        FROM m WHERE c."id" = m."conversationId"
        RETURNING c.*
      )
      SELECT row_to_json(m) AS message, row_to_json(u) AS conversation FROM m, u`;
    if (inserted.length > 0) {
      return {
        messageId: inserted[0].message.id,
        conversationId: conversation.id,
        duplicate: false,
        message: messageFromJson(inserted[0].message),
        conversation: conversationFromJson(inserted[0].conversation),
      };
    }
    const existing = await this.prisma.message.findUniqueOrThrow({
      where: {
        servicePointId_providerMessageId: {
          servicePointId: row.servicePointId,
          providerMessageId: row.providerMessageId,
        },
      },
      select: { id: true, conversationId: true },
    });
    return { messageId: existing.id, conversationId: existing.conversationId, duplicate: true };
  }
}
