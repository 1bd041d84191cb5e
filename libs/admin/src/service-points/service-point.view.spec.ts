import type { ServicePoint } from '@bandeja/core';
import {
  DEFAULT_FOLLOWUPS,
  DEFAULT_WORKING_HOURS,
  FollowupSettings,
  toServicePointView,
} from './service-point.view';

const SECRET = 'whsec_do-not-leak-7f3a9c';

function row(overrides: Partial<ServicePoint> = {}): ServicePoint {
  return {
    id: '0b6f3c1e-8a8f-4b7e-9d2a-6b1c2d3e4f50',
    name: 'Sucursal Centro',
    provider: 'SIMULATOR',
    phoneNumber: '+59170000000',
    whatsappStatus: 'CONNECTED',
    lastQrAt: new Date('2024-05-01T10:00:00.000Z'),
    timezone: 'America/La_Paz',
    workingHours: { ...DEFAULT_WORKING_HOURS },
    botEnabled: true,
    followups: { ...DEFAULT_FOLLOWUPS },
    followupsWebhookSecret: SECRET,
    createdAt: new Date('2024-04-01T00:00:00.000Z'),
    updatedAt: new Date('2024-05-02T00:00:00.000Z'),
    ...overrides,
  } as ServicePoint;
}

describe('toServicePointView', () => {
  it('renders the contract fields of the row', () => {
    const source = row();

    expect(toServicePointView(source)).toEqual({
      id: source.id,
      name: 'Sucursal Centro',
      provider: 'SIMULATOR',
      phoneNumber: '+59170000000',
      whatsappStatus: 'CONNECTED',
      lastQrAt: source.lastQrAt,
      timezone: 'America/La_Paz',
      workingHours: DEFAULT_WORKING_HOURS,
      botEnabled: true,
      followups: { ...DEFAULT_FOLLOWUPS, webhookSecretSet: true },
      createdAt: source.createdAt,
      updatedAt: source.updatedAt,
    });
  });

  describe('webhook secret', () => {
    it('never includes the secret value, anywhere in the view', () => {
      const view = toServicePointView(row());

      expect(JSON.stringify(view)).not.toContain(SECRET);
      expect(view).not.toHaveProperty('followupsWebhookSecret');
      expect(view.followups).not.toHaveProperty('webhookSecret');
      expect(Object.values(view.followups)).not.toContain(SECRET);
    });

    it.each<[string, string | null, boolean]>([
      ['a secret', SECRET, true],
      ['a one-character secret', 'x', true],
      ['no secret', null, false],
      ['an empty secret', '', false],
    ])('sets webhookSecretSet for %s to %p', (_label, followupsWebhookSecret, expected) => {
      const view = toServicePointView(row({ followupsWebhookSecret }));

      expect(view.followups.webhookSecretSet).toBe(expected);
    });
  });

  describe('followups', () => {
    it.each<[string, unknown, Partial<FollowupSettings>]>([
      ['an empty object', {}, {}],
      ['null', null, {}],
      ['only enabled', { enabled: true }, { enabled: true }],
      [
        'a webhook URL and threshold',
        { webhookUrl: 'https://hooks.example.com/x', summaryThreshold: 9 },
        { webhookUrl: 'https://hooks.example.com/x', summaryThreshold: 9 },
      ],
      [
        'custom reminder offsets',
        { reminderOffsetsSeconds: [60], inactivitySeconds: 30 },
        { reminderOffsetsSeconds: [60], inactivitySeconds: 30 },
      ],
    ])('merges stored %s over the defaults', (_label, stored, expected) => {
      const view = toServicePointView(row({ followups: stored as ServicePoint['followups'] }));

      expect(view.followups).toEqual({ ...DEFAULT_FOLLOWUPS, ...expected, webhookSecretSet: true });
    });

    it('keeps every stored value of a complete settings object', () => {
      const stored: FollowupSettings = {
        enabled: true,
        inactivitySeconds: 120,
        reminderOffsetsSeconds: [3600],
        summaryThreshold: 1,
        webhookUrl: 'https://hooks.example.com/y',
      };

      const view = toServicePointView(
        row({ followups: { ...stored }, followupsWebhookSecret: null }),
      );

      expect(view.followups).toEqual({ ...stored, webhookSecretSet: false });
    });

    it('does not change the shared defaults', () => {
      const before = structuredClone(DEFAULT_FOLLOWUPS);

      const view = toServicePointView(row({ followups: { enabled: true } }));
      view.followups.enabled = false;
      view.followups.summaryThreshold = 99;

      expect(DEFAULT_FOLLOWUPS).toEqual(before);
    });

    it('does not change the stored row', () => {
      const source = row({ followups: { enabled: true } });

      toServicePointView(source);

      expect(source.followups).toEqual({ enabled: true });
    });
  });

  it('passes nullable columns through as null', () => {
    const view = toServicePointView(row({ phoneNumber: null, lastQrAt: null }));

    expect(view.phoneNumber).toBeNull();
    expect(view.lastQrAt).toBeNull();
  });
});
