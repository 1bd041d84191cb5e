import { Injectable } from '@nestjs/common';
import { DEFAULT_FOLLOWUPS, DEFAULT_WORKING_HOURS } from '@bandeja/admin';
import type { FollowupSettings } from '@bandeja/admin';
import { PrismaService } from '@bandeja/core';
import type { OpeningHours } from '../time/working-hours';
import { moveIntoWorkingHours } from '../time/working-hours';

export interface PointFollowupSettings {
  servicePointId: string;
  timezone: string;
  workingHours: OpeningHours;
  followups: FollowupSettings;
  webhookSecret: string | null;
}

/** Reads what follow-ups need of a point (timezone, hours, settings) with the documented defaults. */
/** How long a settings read is reused on the per-message path (a change applies within it). */
export const SETTINGS_CACHE_MS = 2_000;

@Injectable()
export class PointSettings {
  private readonly cache = new Map<
    string,
    { at: number; value: Promise<PointFollowupSettings | null> }
  >();

  constructor(private readonly prisma: PrismaService) {}

  /**
   * `of` reused for SETTINGS_CACHE_MS: customer activity reads a point's settings for every
   * message, and a point's settings change rarely. Callers that act once (firing, the API) use `of`.
   */
  cached(servicePointId: string): Promise<PointFollowupSettings | null> {
    const now = Date.now();
    const hit = this.cache.get(servicePointId);
    if (hit && now - hit.at < SETTINGS_CACHE_MS) return hit.value;
    if (this.cache.size > 10_000) this.cache.clear();
    const value = this.of(servicePointId).catch((err: unknown) => {
      this.cache.delete(servicePointId);
      throw err;
    });
    this.cache.set(servicePointId, { at: now, value });
    return value;
  }

  async of(servicePointId: string): Promise<PointFollowupSettings | null> {
    const row = await this.prisma.servicePoint.findUnique({ where: { id: servicePointId } });
    if (!row) return null;
    return {
      servicePointId,
      timezone: row.timezone,
      workingHours: { ...DEFAULT_WORKING_HOURS, ...(row.workingHours as Partial<OpeningHours>) },
      followups: { ...DEFAULT_FOLLOWUPS, ...(row.followups as Partial<FollowupSettings>) },
      webhookSecret: row.followupsWebhookSecret,
    };
  }
}

/** `at` moved into the point's opening hours (bad stored hours fall back to "now is fine"). */
export function inWorkingHours(at: Date, settings: PointFollowupSettings): Date {
  try {
    return moveIntoWorkingHours(at, settings.timezone, settings.workingHours);
  } catch {
    return at;
  }
}
