import { PrismaService } from '@bandeja/core';
import { inWorkingHours, PointFollowupSettings, PointSettings } from './point-settings';

const POINT = '11111111-1111-4111-8111-111111111111';

/** A prisma stand-in holding one service point row (or none). */
function settingsOf(row: Record<string, unknown> | null) {
  const queries: unknown[] = [];
  const prisma = {
    servicePoint: {
      findUnique: async ({ where }: { where: { id: string } }) => {
        queries.push(where);
        return row && where.id === POINT ? { id: POINT, ...row } : null;
      },
    },
  };
  return { settings: new PointSettings(prisma as unknown as PrismaService), queries };
}

describe('PointSettings.of', () => {
  it('is null for an unknown point', async () => {
    const { settings, queries } = settingsOf(null);
    await expect(settings.of(POINT)).resolves.toBeNull();
    expect(queries).toEqual([{ id: POINT }]);
  });

  it('fills what the point does not set with the documented defaults', async () => {
    const { settings } = settingsOf({
      timezone: 'America/La_Paz',
      workingHours: {},
      followups: {},
      followupsWebhookSecret: null,
    });
    await expect(settings.of(POINT)).resolves.toEqual({
      servicePointId: POINT,
      timezone: 'America/La_Paz',
      workingHours: { days: [1, 2, 3, 4, 5, 6], start: '09:00', end: '22:00' },
      followups: {
        enabled: false,
        inactivitySeconds: 600,
        reminderOffsetsSeconds: [86400, 259200, 604800],
        summaryThreshold: 3,
        webhookUrl: null,
      },
      webhookSecret: null,
    });
  });

  it('keeps what the point sets, field by field, over the defaults', async () => {
    const { settings } = settingsOf({
      timezone: 'UTC',
      workingHours: { days: [7], end: '13:00' },
      followups: { enabled: true, inactivitySeconds: 30, webhookUrl: 'https://crm.example/hook' },
      followupsWebhookSecret: 's3cret',
    });
    const point = await settings.of(POINT);
    expect(point?.workingHours).toEqual({ days: [7], start: '09:00', end: '13:00' });
    expect(point?.followups).toEqual({
      enabled: true,
      inactivitySeconds: 30,
      reminderOffsetsSeconds: [86400, 259200, 604800],
      summaryThreshold: 3,
      webhookUrl: 'https://crm.example/hook',
    });
    expect(point?.webhookSecret).toBe('s3cret');
  });

  it('treats null JSON columns as "nothing set"', async () => {
    const { settings } = settingsOf({
      timezone: 'UTC',
      workingHours: null,
      followups: null,
      followupsWebhookSecret: null,
    });
    const point = await settings.of(POINT);
    expect(point?.workingHours).toEqual({ days: [1, 2, 3, 4, 5, 6], start: '09:00', end: '22:00' });
    expect(point?.followups.enabled).toBe(false);
    expect(point?.followups.inactivitySeconds).toBe(600);
  });

  it('returns fresh objects: changing one result does not change the defaults', async () => {
    const { settings } = settingsOf({
      timezone: 'UTC',
      workingHours: {},
      followups: {},
      followupsWebhookSecret: null,
    });
    const first = await settings.of(POINT);
    first!.followups.enabled = true;
    first!.workingHours.start = '00:00';
    const second = await settings.of(POINT);
    expect(second?.followups.enabled).toBe(false);
    expect(second?.workingHours.start).toBe('09:00');
  });
});

describe('inWorkingHours', () => {
  const point = (over: Partial<PointFollowupSettings> = {}): PointFollowupSettings => ({
    servicePointId: POINT,
    timezone: 'America/La_Paz', // UTC-4 all year
    workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
    followups: {
      enabled: true,
      inactivitySeconds: 600,
      reminderOffsetsSeconds: [],
      summaryThreshold: 3,
      webhookUrl: null,
    },
    webhookSecret: null,
    ...over,
  });

  it('keeps an instant inside the opening hours', () => {
    const at = new Date('2026-11-18T15:30:00Z'); // Wednesday 11:30 in La Paz
    expect(inWorkingHours(at, point())).toBe(at);
  });

  it('moves an instant after closing to the next opening, in the point timezone', () => {
    // Friday 19:00 in La Paz → Monday 09:00 in La Paz.
    expect(inWorkingHours(new Date('2026-11-20T23:00:00Z'), point()).toISOString()).toBe(
      '2026-11-23T13:00:00.000Z',
    );
  });

  it.each([
    ['an unknown timezone', { timezone: 'Mars/Olympus_Mons' }],
    ['a malformed opening time', { workingHours: { days: [1], start: '9am', end: '18:00' } }],
    ['an hour out of range', { workingHours: { days: [1], start: '09:00', end: '24:30' } }],
    ['no open day at all', { workingHours: { days: [], start: '09:00', end: '18:00' } }],
  ])('falls back to the instant itself with %s', (_label, over) => {
    // Saturday: outside the default hours, so only the fallback leaves it where it is.
    const at = new Date('2026-11-21T16:00:00Z');
    expect(inWorkingHours(at, point(over as Partial<PointFollowupSettings>))).toBe(at);
  });
});
