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
@Injectable()
export class PointSettings {
  constructor(private readonly prisma: PrismaService) {}

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
