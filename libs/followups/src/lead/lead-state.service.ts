import { Injectable, Logger } from '@nestjs/common';
import {
  AppError,
  Coalescer,
  distinctRounds,
  paginateByCreatedAt,
  Prisma,
  PrismaService,
} from '@bandeja/core';
import type { PageQuery } from '@bandeja/core';
import type { LeadState, ScheduledItem } from '@bandeja/core';
import type { ActivityListener, CustomerActivity } from '@bandeja/inbox';
import { FollowupScheduler } from '../scheduling/followup-scheduler';
import { WebhookDeliveries } from '../webhooks/webhook-deliveries.service';
import { addLocalDays } from '../time/working-hours';
import { inWorkingHours, PointSettings } from './point-settings';
import type { PointFollowupSettings } from './point-settings';

export const OPERATIONAL_STATUSES = [
  'contactable',
  'reminder_scheduled',
  'paused',
  'won',
  'opt_out',
  'invalid',
  'stopped',
] as const;
export type OperationalStatus = (typeof OPERATIONAL_STATUSES)[number];
export const BLOCKED_STATUSES: readonly string[] = ['won', 'opt_out', 'invalid', 'stopped'];
export const isBlocked = (status: string) => BLOCKED_STATUSES.includes(status);
const BLOCKED_SQL = Prisma.join(BLOCKED_STATUSES);

export interface LeadStateChange {
  operationalStatus?: OperationalStatus;
  businessStatus?: string | null;
  pausedUntil?: string | null;
  forceReopen?: boolean;
}

/** What a fired job should do next: nothing, or wait until `retryAt` (the row was moved). */
export interface FireOutcome {
  retryAt?: Date;
}

export function toLeadStateView(row: LeadState | null) {
  return {
    operationalStatus: row?.operationalStatus ?? 'contactable',
    businessStatus: row?.businessStatus ?? null,
    pausedUntil: row?.pausedUntil ?? null,
    windowMessageCount: row?.windowMessageCount ?? 0,
    lastActivityAt: row?.lastActivityAt ?? null,
    lastPingAt: row?.lastPingAt ?? null,
  };
}

export function toItemView(row: ScheduledItem) {
  return {
    id: row.id,
    kind: row.kind,
    scheduledAt: row.scheduledAt,
    status: row.status,
    dependent: row.dependent,
    note: row.note,
  };
}

/** The follow-up semantics of DESIGN.md: activity, ping, reminders, pause/resume, blocked. */
@Injectable()
export class LeadStateService implements ActivityListener {
  private readonly logger = new Logger(LeadStateService.name);
  /** Activity of every conversation a worker is on at the moment goes out in one statement. */
  private readonly activities = new Coalescer<CustomerActivity, void>(
    async (items) => {
      // A statement may touch a lead row once: a conversation twice in a batch takes two rounds.
      for (const round of distinctRounds(items, (a) => a.conversationId))
        await this.activityMany(round);
      return items.map(() => undefined);
    },
    { maxBatch: 100, maxInFlight: 4 },
  );

  constructor(
    private readonly prisma: PrismaService,
    private readonly scheduler: FollowupScheduler,
    private readonly settings: PointSettings,
    private readonly webhooks: WebhookDeliveries,
  ) {}

  private async ensure(conversationId: string): Promise<LeadState> {
    const conversation = await this.prisma.conversation.findUnique({
      where: { id: conversationId },
      select: { servicePointId: true },
    });
    if (!conversation) throw AppError.notFound('Conversation');
    // Races with the worker's first activity on the same conversation: whoever inserts second
    // just reads (ON CONFLICT in the database, not a read-then-create in the client).
    await this.prisma.$executeRaw`
      INSERT INTO "LeadState" ("conversationId", "servicePointId", "createdAt", "updatedAt")
      VALUES (${conversationId}::uuid, ${conversation.servicePointId}::uuid, now(), now())
      ON CONFLICT ("conversationId") DO NOTHING`;
    return this.prisma.leadState.findUniqueOrThrow({ where: { conversationId } });
  }

  async get(conversationId: string) {
    return toLeadStateView(await this.ensure(conversationId));
  }

  /**
   * A customer message: count it, cancel what it makes pointless (dependent reminders, resume),
   * and push the ping back to "inactive from now". This runs for every customer message, so it
   * is one SQL statement: the pending ping row is moved in place (its delayed job, due earlier,
   * finds the row later than itself and re-delays; see `fire`), and Redis is touched only when
   * a ping row is created or dependents are cancelled. Blocked leads stay blocked: activity never
   * reopens them nor schedules anything.
   */
  customerActivity(activity: CustomerActivity): Promise<void> {
    return this.activities.submit(activity);
  }

  /** `customerActivity` for several conversations (each at most once) in one statement. */
  private async activityMany(activities: CustomerActivity[]): Promise<void> {
    const plans = await Promise.all(
      activities.map(async ({ servicePointId, at }) => {
        const point = await this.settings.cached(servicePointId);
        const due = point
          ? inWorkingHours(new Date(at.getTime() + point.followups.inactivitySeconds * 1000), point)
          : at;
        return { enabled: point?.followups.enabled === true, due };
      }),
    );
    const conversationIds = activities.map((a) => a.conversationId);
    // `= ANY(...)` beside each join to the input: index probes, not scans (the planner cannot
    // size the unnest of a parameter).
    const [result] = await this.prisma.$queryRaw<
      { cancelled: string[] | null; created: { id: string; scheduledAt: string }[] | null }[]
    >`
      WITH i AS (
        SELECT * FROM unnest(
          ${conversationIds}::uuid[], ${activities.map((a) => a.servicePointId)}::uuid[],
          ${activities.map((a) => a.at.toISOString())}::timestamptz[], ${plans.map((p) => p.due.toISOString())}::timestamptz[],
          ${plans.map((p) => p.enabled)}::boolean[]
        ) AS t(conversation_id, point_id, at, due, enabled)
      ), lead AS (
        INSERT INTO "LeadState" ("conversationId", "servicePointId", "windowMessageCount", "lastActivityAt", "createdAt", "updatedAt")
        SELECT i.conversation_id, i.point_id, 1, i.at, now(), now() FROM i
        ON CONFLICT ("conversationId") DO UPDATE SET
          "windowMessageCount" = "LeadState"."windowMessageCount" + 1,
          "lastActivityAt" = GREATEST(COALESCE("LeadState"."lastActivityAt", EXCLUDED."lastActivityAt"), EXCLUDED."lastActivityAt"),
          "operationalStatus" = CASE WHEN "LeadState"."operationalStatus" IN (${BLOCKED_SQL})
                                     THEN "LeadState"."operationalStatus" ELSE 'contactable' END,
          "pausedUntil" = CASE WHEN "LeadState"."operationalStatus" IN (${BLOCKED_SQL})
                               THEN "LeadState"."pausedUntil" ELSE NULL END,
          "updatedAt" = now()
        RETURNING "conversationId", "operationalStatus" IN (${BLOCKED_SQL}) AS blocked
      ), open AS (
        SELECT i.* FROM i JOIN lead l ON l."conversationId" = i.conversation_id WHERE NOT l.blocked
      ), cancelled AS (
        UPDATE "ScheduledItem" s SET "status" = 'cancelled', "updatedAt" = now()
        FROM open o
        WHERE s."conversationId" = o.conversation_id AND s."conversationId" = ANY(${conversationIds}::uuid[])
          AND s."status" = 'scheduled' AND s."dependent" AND (s."kind" <> 'ping' OR NOT o.enabled)
        RETURNING s."id"
      ), moved AS (
        UPDATE "ScheduledItem" s SET "scheduledAt" = o.due, "updatedAt" = now()
        FROM open o
        WHERE s."conversationId" = o.conversation_id AND s."conversationId" = ANY(${conversationIds}::uuid[])
          AND s."status" = 'scheduled' AND s."dependent" AND s."kind" = 'ping' AND o.enabled
        RETURNING s."conversationId"
      ), created AS (
        INSERT INTO "ScheduledItem" ("id", "conversationId", "servicePointId", "kind", "scheduledAt", "status", "dependent", "createdAt", "updatedAt")
        SELECT gen_random_uuid(), o.conversation_id, o.point_id, 'ping', o.due, 'scheduled', true, now(), now()
        FROM open o
        WHERE o.enabled AND NOT EXISTS (SELECT 1 FROM moved WHERE moved."conversationId" = o.conversation_id)
        RETURNING "id", "scheduledAt"
      )
      SELECT (SELECT array_agg("id") FROM cancelled) AS cancelled,
             (SELECT json_agg(created) FROM created) AS created`;
    if (result?.cancelled?.length) await this.scheduler.removeJobs(result.cancelled);
    if (result?.created?.length)
      await this.scheduler.enqueueMany(
        result.created.map((row) => ({ id: row.id, scheduledAt: new Date(row.scheduledAt) })),
      );
  }

  /**
   * Runs a due item (from its job). Does nothing unless the row is still `scheduled`; a row that
   * activity moved later (a ping) answers `{ retryAt }` so the job waits until then.
   */
  async fire(itemId: string): Promise<FireOutcome> {
    const item = await this.scheduler.claim(itemId);
    if (!item) {
      const row = await this.prisma.scheduledItem.findUnique({ where: { id: itemId } });
      if (row?.status !== 'scheduled') return {};
      // Moved later by activity (or due this very instant): wait, never drop it.
      return { retryAt: new Date(Math.max(row.scheduledAt.getTime(), Date.now() + 100)) };
    }
    const lead =
      (await this.prisma.leadState.findUnique({
        where: { conversationId: item.conversationId },
      })) ?? (await this.ensure(item.conversationId).catch(() => null));
    const point = await this.settings.cached(item.servicePointId);
    if (!lead || isBlocked(lead.operationalStatus) || !point) return this.skipped(item.id);
    if (item.kind === 'ping') {
      // Real inactivity only (activity moves the ping row later; this guards a race with it,
      // in which the activity has already planned a new ping).
      if (
        lead.lastActivityAt &&
        lead.lastActivityAt.getTime() + point.followups.inactivitySeconds * 1000 > Date.now() + 1000
      )
        return this.skipped(item.id);
      const summary = lead.windowMessageCount >= point.followups.summaryThreshold;
      const now = new Date();
      const updated = await this.prisma.leadState.update({
        where: { conversationId: item.conversationId },
        data: { windowMessageCount: 0, lastPingAt: now, operationalStatus: 'reminder_scheduled' },
      });
      await this.post(item, point, updated, 'followup.ping', {
        summary,
        windowMessageCount: lead.windowMessageCount,
      });
      await this.scheduler.scheduleMany(
        point.followups.reminderOffsetsSeconds.map((offset, i) => ({
          conversationId: item.conversationId,
          servicePointId: item.servicePointId,
          kind: `reminder_${i + 1}`,
          scheduledAt: inWorkingHours(new Date(now.getTime() + offset * 1000), point),
          dependent: true,
        })),
      );
      return {};
    }
    if (item.kind === 'resume') {
      const updated = await this.prisma.leadState.update({
        where: { conversationId: item.conversationId },
        data: { operationalStatus: 'contactable', pausedUntil: null },
      });
      await this.post(item, point, updated, 'followup.resumed', {});
      return {};
    }
    await this.post(item, point, lead, 'followup.reminder', {});
    return {};
  }

  /** A claimed item that turned out to have nothing to do is listed as cancelled, not done. */
  private async skipped(itemId: string): Promise<FireOutcome> {
    await this.prisma.scheduledItem.update({
      where: { id: itemId },
      data: { status: 'cancelled' },
    });
    return {};
  }

  private async post(
    item: ScheduledItem,
    point: PointFollowupSettings,
    lead: LeadState,
    event: string,
    extra: { summary?: boolean; windowMessageCount?: number },
  ): Promise<void> {
    if (!point.followups.webhookUrl) return;
    const conversation = await this.prisma.conversation.findUnique({
      where: { id: item.conversationId },
    });
    await this.webhooks.emit(item.servicePointId, event, {
      servicePointId: item.servicePointId,
      conversation: conversation && {
        id: conversation.id,
        customerPhone: conversation.customerPhone,
        customerName: conversation.customerName,
      },
      lead: { operationalStatus: lead.operationalStatus, businessStatus: lead.businessStatus },
      summary: extra.summary ?? false,
      windowMessageCount: extra.windowMessageCount ?? lead.windowMessageCount,
      lastActivityAt: lead.lastActivityAt,
      kind: item.kind,
      scheduledAt: item.scheduledAt,
    });
  }

  /** PUT lead-state: blocked statuses cancel everything; leaving one needs forceReopen. */
  async update(conversationId: string, change: LeadStateChange) {
    const lead = await this.ensure(conversationId);
    const next = change.operationalStatus;
    if (
      next !== undefined &&
      isBlocked(lead.operationalStatus) &&
      next !== lead.operationalStatus &&
      !change.forceReopen
    ) {
      throw AppError.conflict(
        'blocked_status',
        `The lead is "${lead.operationalStatus}"; leaving it needs forceReopen: true`,
      );
    }
    if (change.businessStatus) {
      const known = await this.prisma.businessStatus.count({
        where: { servicePointId: lead.servicePointId, name: change.businessStatus },
      });
      if (!known)
        throw AppError.badRequest(
          'unknown_business_status',
          `"${change.businessStatus}" is not in the point's business statuses`,
        );
    }
    let pausedUntil: Date | null | undefined;
    if (next === 'paused') {
      if (!change.pausedUntil)
        throw AppError.badRequest('paused_requires_until', 'paused needs pausedUntil');
      pausedUntil = new Date(change.pausedUntil);
      if (pausedUntil.getTime() <= Date.now())
        throw AppError.validation([
          { field: 'pausedUntil', message: 'pausedUntil must be in the future' },
        ]);
    } else if (next !== undefined) {
      pausedUntil = null;
    }
    const updated = await this.prisma.leadState.update({
      where: { conversationId },
      data: {
        ...(next !== undefined ? { operationalStatus: next } : {}),
        ...(change.businessStatus !== undefined ? { businessStatus: change.businessStatus } : {}),
        ...(pausedUntil !== undefined ? { pausedUntil } : {}),
      },
    });
    if (next !== undefined && isBlocked(next)) {
      await this.scheduler.cancel({ conversationId });
    } else if (next === 'paused' && pausedUntil) {
      // Paused: nothing goes out until the resume (dependent: new activity cancels it).
      await this.scheduler.cancel({ conversationId, dependent: true });
      const point = await this.settings.of(lead.servicePointId);
      await this.scheduler.schedule({
        conversationId,
        servicePointId: lead.servicePointId,
        kind: 'resume',
        scheduledAt: point ? inWorkingHours(pausedUntil, point) : pausedUntil,
        dependent: true,
      });
    } else if (next !== undefined && lead.operationalStatus === 'paused') {
      await this.scheduler.cancel({ conversationId, kind: 'resume' });
    }
    return toLeadStateView(updated);
  }

  /** An independent reminder (API): activity does not cancel it. */
  async createReminder(
    conversationId: string,
    input: { scheduledAt?: string; daysOffset?: number; kind?: string; note?: string },
  ) {
    const lead = await this.ensure(conversationId);
    const point = await this.settings.of(lead.servicePointId);
    if (!point) throw AppError.notFound('Conversation');
    const when = input.scheduledAt
      ? new Date(input.scheduledAt)
      : addLocalDays(new Date(), input.daysOffset ?? 0, point.timezone);
    const row = await this.scheduler.schedule({
      conversationId,
      servicePointId: lead.servicePointId,
      kind: input.kind ?? 'custom',
      scheduledAt: inWorkingHours(when, point),
      dependent: false,
      note: input.note ?? null,
    });
    return { id: row.id, kind: row.kind, scheduledAt: row.scheduledAt, status: row.status };
  }

  /** Oldest first, keyset pages (a moved ping keeps its place: it is the same row). */
  async listReminders(conversationId: string, query: PageQuery & { status?: string }) {
    const page = await paginateByCreatedAt(
      query,
      ({ where, take, orderBy }) =>
        this.prisma.scheduledItem.findMany({
          where: { AND: [where, { conversationId }, query.status ? { status: query.status } : {}] },
          orderBy,
          take,
        }),
      'asc',
    );
    return { items: page.items.map(toItemView), nextCursor: page.nextCursor };
  }

  async cancelReminder(itemId: string) {
    await this.scheduler.cancel({ id: itemId });
    const row = await this.prisma.scheduledItem.findUnique({ where: { id: itemId } });
    if (!row) throw AppError.notFound('Reminder');
    if (row.status === 'cancelled') this.logger.debug({ itemId }, 'reminder cancelled');
    return toItemView(row);
  }

  /** For the tenancy guard: the point of a scheduled item. */
  async pointOfItem(itemId: string): Promise<string | undefined> {
    const row = await this.prisma.scheduledItem.findUnique({
      where: { id: itemId },
      select: { servicePointId: true },
    });
    return row?.servicePointId;
  }
}
