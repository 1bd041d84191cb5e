import { Injectable } from '@nestjs/common';
import { PrismaService, QUEUES, QueueFactory } from '@bandeja/core';
import type { Prisma, ScheduledItem } from '@bandeja/core';

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
  ) {}

  async schedule(item: NewItem): Promise<ScheduledItem> {
    const row = await this.prisma.scheduledItem.create({ data: { ...item, status: 'scheduled' } });
    await this.enqueue(row);
    return row;
  }

  async enqueue(row: Pick<ScheduledItem, 'id' | 'scheduledAt'>): Promise<void> {
    await this.queues.get(QUEUES.followups).add(
      'fire',
      { itemId: row.id },
      {
        jobId: itemJobId(row.id),
        delay: Math.max(0, row.scheduledAt.getTime() - Date.now()),
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
        attempts: 3,
        backoff: { type: 'exponential', delay: 1000 },
      },
    );
  }

  /** Cancels the matching `scheduled` rows and removes their jobs; returns how many. */
  async cancel(where: Prisma.ScheduledItemWhereInput): Promise<number> {
    const rows = await this.prisma.scheduledItem.findMany({
      where: { ...where, status: 'scheduled' },
      select: { id: true },
    });
    if (rows.length === 0) return 0;
    const ids = rows.map((r) => r.id);
    const { count } = await this.prisma.scheduledItem.updateMany({
      where: { id: { in: ids }, status: 'scheduled' },
      data: { status: 'cancelled' },
    });
    const queue = this.queues.get(QUEUES.followups);
    // A job that is running (locked) cannot be removed; it finds its row cancelled and stops.
    await Promise.all(ids.map((id) => queue.remove(itemJobId(id)).catch(() => 0)));
    return count;
  }

  /** Claims a due item for firing: true for exactly one caller while the row is `scheduled`. */
  async claim(itemId: string): Promise<boolean> {
    const { count } = await this.prisma.scheduledItem.updateMany({
      where: { id: itemId, status: 'scheduled' },
      data: { status: 'done' },
    });
    return count === 1;
  }

  /** Re-adds the job of every `scheduled` row that has none (Redis lost, crash between writes). */
  async repair(): Promise<number> {
    const queue = this.queues.get(QUEUES.followups);
    let repaired = 0;
    let cursor: string | undefined;
    for (;;) {
      const rows = await this.prisma.scheduledItem.findMany({
        where: { status: 'scheduled' },
        select: { id: true, scheduledAt: true },
        orderBy: { id: 'asc' },
        take: 1000,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      if (rows.length === 0) return repaired;
      for (const row of rows) {
        if (await queue.getJob(itemJobId(row.id))) continue;
        await this.enqueue(row);
        repaired++;
      }
      cursor = rows[rows.length - 1].id;
    }
  }
}
