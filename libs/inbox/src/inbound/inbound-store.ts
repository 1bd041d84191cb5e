import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@bandeja/core';
import { randomUUID } from 'node:crypto';

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
}

const PREVIEW_LENGTH = 120;

/**
 * The first step of the pipeline, in one transaction: the conversation row exists (upsert on
 * the point and the customer's phone), then the message is inserted unless the database already
 * has its (point, provider id), and only a new message moves the conversation's counters.
 * Single SQL statements with ON CONFLICT, so concurrent redeliveries race safely.
 */
@Injectable()
export class InboundStore {
  constructor(private readonly prisma: PrismaService) {}

  async store(row: IncomingRow): Promise<StoredInbound> {
    const preview = row.text.slice(0, PREVIEW_LENGTH);
    return this.prisma.$transaction(async (tx) => {
      const [conversation] = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO "Conversation" ("id", "servicePointId", "customerPhone", "customerName", "lastMessageAt", "createdAt", "updatedAt")
        VALUES (${randomUUID()}::uuid, ${row.servicePointId}::uuid, ${row.customerPhone}, ${row.fromMe ? null : row.pushName}, ${row.timestamp}, now(), now())
        ON CONFLICT ("servicePointId", "customerPhone") DO UPDATE SET "updatedAt" = "Conversation"."updatedAt"
        RETURNING "id"`;
      const direction = row.fromMe ? 'OUT' : 'IN';
      const senderType = row.fromMe ? 'AGENT' : 'CUSTOMER';
      const status = row.fromMe ? 'SENT' : 'RECEIVED';
      const inserted = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO "Message" ("id", "conversationId", "servicePointId", "direction", "senderType", "content", "status", "providerMessageId", "timestamp", "createdAt", "updatedAt", "processedAt")
        VALUES (${randomUUID()}::uuid, ${conversation.id}::uuid, ${row.servicePointId}::uuid, ${direction}::"MessageDirection", ${senderType}::"SenderType",
                ${row.text}, ${status}::"MessageStatus", ${row.providerMessageId}, ${row.timestamp}, now(), now(), ${row.fromMe ? new Date() : null})
        ON CONFLICT ("servicePointId", "providerMessageId") DO NOTHING
        RETURNING "id"`;
      if (inserted.length === 0) {
        const existing = await tx.message.findUniqueOrThrow({
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
      const counters: Prisma.Sql = row.fromMe
        ? // Typed on the branch's phone: a person is talking there, so the bot steps aside.
          Prisma.sql`"status" = 'HUMAN'::"ConversationStatus"`
        : Prisma.sql`"unreadCount" = "unreadCount" + 1,
                     "lastInboundAt" = GREATEST(COALESCE("lastInboundAt", ${row.timestamp}), ${row.timestamp}),
                     "customerName" = COALESCE(${row.pushName}, "customerName")`;
      await tx.$executeRaw`
        UPDATE "Conversation" SET ${counters},
          "lastMessagePreview" = CASE WHEN ${row.timestamp} >= "lastMessageAt" THEN ${preview} ELSE "lastMessagePreview" END,
          "lastMessageAt" = GREATEST("lastMessageAt", ${row.timestamp}),
          "updatedAt" = now()
        WHERE "id" = ${conversation.id}::uuid`;
      return { messageId: inserted[0].id, conversationId: conversation.id, duplicate: false };
    });
  }
}
