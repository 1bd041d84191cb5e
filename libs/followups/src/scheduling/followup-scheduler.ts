import { Injectable } from '@nestjs/common';
import { PrismaService, QUEUES, QueueFactory, RedisService } from '@bandeja/core';
import { Prisma } from '@bandeja/core';
import type { ScheduledItem } from '@bandeja/core';

export const ITEM_STATUSES = ['scheduled', 'done', 'cancelled', 'failed'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export interface NewItem {
  conversationId: string;
  servicePointId: string;
  kind: string;
  scheduledAt: Date;
  dependent: boolean;
  note?: string | null;
}

/** What `cancel` can select on; every given field must match, and the row must be `scheduled`. */
export interface CancelWhere {
  id?: string;
  conversationId?: string;
  kind?: string;
  dependent?: boolean;
}

/** BullMQ rejects ':' in custom ids; one job per item, so scheduling twice adds nothing. */
export const itemJobId = (itemId: string) => `fu_${itemId}`;

/**
 * Keeps the two faces of a scheduled item consistent: the row (truth: listable, cancellable)
 * and the delayed job (the alarm). The row is written first; a lost job is re-added by the
 * worker's sweep, and a job whose row is no longer `scheduled` does nothing.
 */
@Injectable()
export class FollowupScheduler {
  constructor(
    private readonly prisma: PrismaService,
    private readonly queues: QueueFactory,
    private readonly redis: RedisService,
  ) {}

  async schedule(item: NewItem): Promise<ScheduledItem> {
    const [row] = await this.scheduleMany([item]);
    return row;
  }

  /** Several items: one INSERT and one Redis round trip for their jobs. */
  async scheduleMany(items: NewItem[]): Promise<ScheduledItem[]> {
    if (items.length === 0) return [];
    const rows = await this.prisma.scheduledItem.createManyAndReturn({
      data: items.map((item) => ({ ...item, status: 'scheduled' })),
    });
    await this.queues.get(QUEUES.followups).addBulk(rows.map((row) => this.job(row)));
    return rows;
  }

  async enqueue(row: Pick<ScheduledItem, 'id' | 'scheduledAt'>): Promise<void> {
    const { name, data, opts } = this.job(row);
    await this.queues.get(QUEUES.followups).add(name, data, opts);
  }

  /** The jobs of several existing rows in one Redis round trip. */
  async enqueueMany(rows: Pick<ScheduledItem, 'id' | 'scheduledAt'>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.queues.get(QUEUES.followups).addBulk(rows.map((row) => this.job(row)));
  }

  private job(row: Pick<ScheduledItem, 'id' | 'scheduledAt'>) {
    return {
      name: 'fire',
      data: { itemId: row.id },
      opts: {
        jobId: itemJobId(row.id),
        delay: Math.max(0, row.scheduledAt.getTime() - Date.now()),
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
        attempts: 3,
        backoff: { type: 'exponential' as const, delay: 1000 },
      },
    };
  }

  /** Cancels the matching `scheduled` rows and removes their jobs; returns how many. */
  async cancel(where: CancelWhere): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE "ScheduledItem" SET "status" = 'cancelled', "updatedAt" = now()
      WHERE "status" = 'scheduled'
        ${where.id ? Prisma.sql`AND "id" = ${where.id}::uuid` : Prisma.empty}
        ${where.conversationId ? Prisma.sql`AND "conversationId" = ${where.conversationId}::uuid` : Prisma.empty}
        ${where.kind ? Prisma.sql`AND "kind" = ${where.kind}` : Prisma.empty}
        ${where.dependent !== undefined ? Prisma.sql`AND "dependent" = ${where.dependent}::boolean` : Prisma.empty}
      RETURNING "id"`;
    await this.removeJobs(rows.map((r) => r.id));
    return rows.length;
  }

  /** A job that is running (locked) cannot be removed; it finds its row cancelled and stops. */
  async removeJobs(itemIds: string[]): Promise<void> {
    if (itemIds.length === 0) return;
    const queue = this.queues.get(QUEUES.followups);
    await Promise.all(itemIds.map((id) => queue.remove(itemJobId(id)).catch(() => 0)));
  }

  /**
   * Claims a due item for firing: the row for exactly one caller while it is `scheduled` and
   * due (activity may have moved a ping later than the job that woke up for it).
   */
  async claim(itemId: string): Promise<ScheduledItem | null> {
    const [row] = await this.prisma.scheduledItem.updateManyAndReturn({
      where: { id: itemId, status: 'scheduled', scheduledAt: { lte: new Date() } },
      data: { status: 'done' },
    });
    return row ?? null;
  }

  /**
   * Re-adds the job of every `scheduled` row that has none (Redis lost, crash between writes),
   * or only of those due before `dueBefore` (the periodic sweep: a far-off row is repaired when
   * it comes near). Existence is checked 1000 rows per Redis round trip.
   */
  async repair(dueBefore?: Date): Promise<number> {
    const queue = this.queues.get(QUEUES.followups);
    let repaired = 0;
    let cursor: string | undefined;
    for (;;) {
      const rows = await this.prisma.scheduledItem.findMany({
        where: { status: 'scheduled', ...(dueBefore ? { scheduledAt: { lt: dueBefore } } : {}) },
        select: { id: true, scheduledAt: true },
        orderBy: { id: 'asc' },
        take: 1000,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      if (rows.length === 0) return repaired;
      const pipeline = this.redis.client.pipeline();
      for (const row of rows) pipeline.exists(queue.toKey(itemJobId(row.id)));
      const exists = (await pipeline.exec()) ?? [];
      const missing = rows.filter((_, i) => exists[i]?.[1] !== 1);
      for (const row of missing) await this.enqueue(row);
      repaired += missing.length;
      cursor = rows[rows.length - 1].id;
    }
  }
}
