import { Injectable } from '@nestjs/common';
import {
  Conversation,
  ConversationStatus,
  isRecordNotFound,
  Message,
  Prisma,
  PrismaService,
  UserRole,
} from '@bandeja/core';

/** Where a page starts: strictly after this (sort value, id) in the page's order. */
export interface KeysetPosition {
  at: Date;
  id: string;
}

export interface ConversationFilter {
  status?: ConversationStatus;
  /** A user id, or null for "nobody"; undefined = any. */
  assignedToUserId?: string | null;
  search?: string;
}

export interface ConversationChanges {
  status?: ConversationStatus;
  assignedToUserId?: string | null;
}

/** `!` escapes LIKE's wildcards (and itself), so what people type is matched literally. */
const LIKE_ESCAPE = '!';
export function likeContains(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => LIKE_ESCAPE + c)}%`;
}

/**
 * The digits of a search that looks like a phone number ("+591 700-00001", "70000001"), or
 * undefined when the text is not one.
 */
export function phoneDigits(search: string): string | undefined {
  if (!/^\+?[\d\s().-]+$/.test(search)) return undefined;
  const digits = search.replace(/\D/g, '');
  return digits.length > 0 ? digits : undefined;
}

/** Conversations and their messages in Postgres. Callers pass ids already checked by tenancy. */
@Injectable()
export class ConversationsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async pointOf(id: string): Promise<string | undefined> {
    const row = await this.prisma.conversation.findUnique({
      where: { id },
      select: { servicePointId: true },
    });
    return row?.servicePointId;
  }

  find(id: string): Promise<Conversation | null> {
    return this.prisma.conversation.findUnique({ where: { id } });
  }

  /**
   * One page of a point's inbox, newest activity first. Keyset on (lastMessageAt, id) so that
   * Postgres walks the (servicePointId, lastMessageAt desc, id desc) index and rows that move to
   * the top while someone pages never show up twice.
   */
  listByPoint(
    servicePointId: string,
    filter: ConversationFilter,
    after: KeysetPosition | undefined,
    take: number,
  ): Promise<Conversation[]> {
    const conditions: Prisma.Sql[] = [Prisma.sql`c."servicePointId" = ${servicePointId}::uuid`];
    if (filter.status) {
      conditions.push(Prisma.sql`c."status" = ${filter.status}::"ConversationStatus"`);
    }
    if (filter.assignedToUserId === null) {
      conditions.push(Prisma.sql`c."assignedToUserId" IS NULL`);
    } else if (filter.assignedToUserId !== undefined) {
      conditions.push(Prisma.sql`c."assignedToUserId" = ${filter.assignedToUserId}::uuid`);
    }
    if (filter.search !== undefined) {
      const pattern = likeContains(filter.search);
      const digits = phoneDigits(filter.search);
      const matches: Prisma.Sql[] = [
        Prisma.sql`c."customerName" ILIKE ${pattern} ESCAPE '!'`,
        Prisma.sql`EXISTS (SELECT 1 FROM "Message" m
                           WHERE m."conversationId" = c."id" AND m."content" ILIKE ${pattern} ESCAPE '!')`,
      ];
      if (digits) matches.unshift(Prisma.sql`c."customerPhone" LIKE ${`%${digits}%`}`);
      conditions.push(Prisma.sql`(${Prisma.join(matches, ' OR ')})`);
    }
    if (after) {
      conditions.push(Prisma.sql`(c."lastMessageAt", c."id") < (${after.at}, ${after.id}::uuid)`);
    }
    return this.prisma.$queryRaw<Conversation[]>`
      SELECT c."id", c."servicePointId", c."customerPhone", c."customerName", c."status",
             c."assignedToUserId", c."lastMessageAt", c."lastMessagePreview", c."lastInboundAt",
             c."unreadCount", c."createdAt", c."updatedAt"
      FROM "Conversation" c
      WHERE ${Prisma.join(conditions, ' AND ')}
      ORDER BY c."lastMessageAt" DESC, c."id" DESC
      LIMIT ${take}`;
  }

  /** One page of a conversation's messages on (timestamp, id), in `order`. */
  listMessages(
    conversationId: string,
    order: 'asc' | 'desc',
    after: KeysetPosition | undefined,
    take: number,
  ): Promise<Message[]> {
    const cmp = order === 'desc' ? 'lt' : 'gt';
    return this.prisma.message.findMany({
      where: {
        conversationId,
        ...(after
          ? {
              OR: [
                { timestamp: { [cmp]: after.at } },
                { timestamp: after.at, id: { [cmp]: after.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ timestamp: order }, { id: order }],
      take,
    });
  }

  transaction<T>(fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  /** The row, locked until the transaction ends (concurrent changes see each other's result). */
  async findForUpdate(tx: Prisma.TransactionClient, id: string): Promise<Conversation | null> {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "Conversation" WHERE "id" = ${id}::uuid FOR UPDATE`;
    if (locked.length === 0) return null;
    return tx.conversation.findUnique({ where: { id } });
  }

  update(
    tx: Prisma.TransactionClient,
    id: string,
    changes: ConversationChanges,
  ): Promise<Conversation> {
    return tx.conversation.update({ where: { id }, data: changes });
  }

  /** An admin user, or a user with a membership in the point. */
  async isAssignable(
    tx: Prisma.TransactionClient,
    servicePointId: string,
    userId: string,
  ): Promise<boolean> {
    const count = await tx.user.count({
      where: {
        id: userId,
        OR: [{ role: UserRole.ADMIN }, { memberships: { some: { servicePointId } } }],
      },
    });
    return count > 0;
  }

  /** Zeroes the unread counter; null when the conversation is gone. */
  async markRead(id: string): Promise<Conversation | null> {
    try {
      return await this.prisma.conversation.update({ where: { id }, data: { unreadCount: 0 } });
    } catch (err) {
      if (isRecordNotFound(err)) return null;
      throw err;
    }
  }
}
