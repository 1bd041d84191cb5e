import type { ServicePoint } from '@bandeja/core';

export interface FollowupSettings {
  enabled: boolean;
  inactivitySeconds: number;
  reminderOffsetsSeconds: number[];
  summaryThreshold: number;
  webhookUrl: string | null;
}

export interface WorkingHours {
  days: number[];
  start: string;
  end: string;
}

export const DEFAULT_WORKING_HOURS: WorkingHours = {
  days: [1, 2, 3, 4, 5, 6],
  start: '09:00',
  end: '22:00',
};
export const DEFAULT_FOLLOWUPS: FollowupSettings = {
  enabled: false,
  inactivitySeconds: 600,
  reminderOffsetsSeconds: [86400, 259200, 604800],
  summaryThreshold: 3,
  webhookUrl: null,
};

/** The contract's ServicePoint: the webhook secret never leaves the database. */
export function toServicePointView(row: ServicePoint) {
  const followups = { ...DEFAULT_FOLLOWUPS, ...(row.followups as Partial<FollowupSettings>) };
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    phoneNumber: row.phoneNumber,
    whatsappStatus: row.whatsappStatus,
    lastQrAt: row.lastQrAt,
    timezone: row.timezone,
    workingHours: row.workingHours as unknown as WorkingHours,
    botEnabled: row.botEnabled,
    followups: { ...followups, webhookSecretSet: Boolean(row.followupsWebhookSecret) },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export type ServicePointView = ReturnType<typeof toServicePointView>;
