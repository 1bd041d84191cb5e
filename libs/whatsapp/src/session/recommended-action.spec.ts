import { WhatsappState } from '@bandeja/core';
import { ActionFacts, recommendedAction } from './recommended-action';

const NOW = new Date('2026-01-15T12:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

const facts = (over: Partial<ActionFacts>): ActionFacts => ({
  state: WhatsappState.STOPPED,
  lastError: null,
  attempt: 0,
  maxAttempts: 12,
  nextRetryAt: null,
  qrExpiresAt: null,
  now: NOW,
  ...over,
});

describe('recommendedAction', () => {
  const table: Array<[string, Partial<ActionFacts>, string | RegExp]> = [
    [
      'STOPPED',
      { state: WhatsappState.STOPPED },
      'The session is stopped. Press Connect to start it.',
    ],
    [
      'STOPPED after an unscanned QR',
      { state: WhatsappState.STOPPED, lastError: 'qr_not_scanned' },
      'No QR code was scanned in time. Press Connect to get a new one.',
    ],
    [
      'STOPPED after another error still just says stopped',
      { state: WhatsappState.STOPPED, lastError: 'timed_out' },
      'The session is stopped. Press Connect to start it.',
    ],
    ['INITIALIZING', { state: WhatsappState.INITIALIZING }, 'Starting the session…'],
    [
      'QR_REQUIRED, first QR (60 s)',
      { state: WhatsappState.QR_REQUIRED, qrExpiresAt: later(60_000) },
      "Scan the QR code within 60 seconds: WhatsApp on the branch's phone › Linked devices › Link a device.",
    ],
    [
      'QR_REQUIRED, seconds are rounded up',
      { state: WhatsappState.QR_REQUIRED, qrExpiresAt: later(19_001) },
      /^Scan the QR code within 20 seconds:/,
    ],
    [
      'QR_REQUIRED, an expired QR never shows negative seconds',
      { state: WhatsappState.QR_REQUIRED, qrExpiresAt: later(-5_000) },
      /^Scan the QR code within 0 seconds:/,
    ],
    [
      'QR_REQUIRED without a QR yet',
      { state: WhatsappState.QR_REQUIRED, qrExpiresAt: null },
      /^Scan the QR code within 0 seconds:/,
    ],
    [
      'CONNECTING, first connection',
      { state: WhatsappState.CONNECTING },
      'Connecting to WhatsApp…',
    ],
    [
      'CONNECTING, a reconnect',
      { state: WhatsappState.CONNECTING, attempt: 3, maxAttempts: 12 },
      'Reconnecting (attempt 3 of 12)…',
    ],
    ['CONNECTED', { state: WhatsappState.CONNECTED }, 'Connected. Nothing to do.'],
    [
      'DISCONNECTED, waiting for the next attempt',
      {
        state: WhatsappState.DISCONNECTED,
        attempt: 1,
        maxAttempts: 12,
        nextRetryAt: later(2_400),
      },
      "Reconnecting (attempt 1 of 12, next in 3 s). Check the server's internet connection if this persists.",
    ],
    [
      'DISCONNECTED, retry due now',
      { state: WhatsappState.DISCONNECTED, attempt: 4, nextRetryAt: later(-10) },
      /^Reconnecting \(attempt 4 of 12, next in 0 s\)/,
    ],
    [
      'DISCONNECTED without a retry time',
      { state: WhatsappState.DISCONNECTED, attempt: 2, nextRetryAt: null },
      /^Reconnecting \(attempt 2 of 12, next in 0 s\)/,
    ],
    [
      'LOGGED_OUT',
      { state: WhatsappState.LOGGED_OUT, lastError: 'logged_out' },
      'This device was unlinked from WhatsApp. Press Connect and scan a new QR code.',
    ],
    [
      'FAILED: connection replaced (440)',
      { state: WhatsappState.FAILED, lastError: 'connection_replaced' },
      'WhatsApp was opened for this number somewhere else (another Bandeja or WhatsApp Web). Close the other session, then press Connect.',
    ],
    [
      'FAILED: forbidden (403)',
      { state: WhatsappState.FAILED, lastError: 'forbidden' },
      'WhatsApp refused this number (it may be banned or restricted). Check the phone, then press Connect.',
    ],
    [
      'FAILED: multi-device mismatch (411)',
      { state: WhatsappState.FAILED, lastError: 'multidevice_mismatch' },
      "The phone's WhatsApp does not support linked devices as expected. Update WhatsApp on the phone, then press Connect.",
    ],
    [
      'FAILED: gave up after the reconnect attempts',
      { state: WhatsappState.FAILED, lastError: 'gave_up', attempt: 12, maxAttempts: 12 },
      "Could not reconnect after 12 attempts. Check the server's internet connection, then press Connect.",
    ],
    [
      'FAILED: unreadable credentials',
      { state: WhatsappState.FAILED, lastError: 'credentials_unreadable' },
      'The session stopped with an error (credentials_unreadable). Press Connect to try again.',
    ],
    [
      'FAILED without a reason',
      { state: WhatsappState.FAILED, lastError: null },
      'The session stopped with an error (unknown). Press Connect to try again.',
    ],
  ];

  it.each(table)('%s', (_label, over, expected) => {
    const text = recommendedAction(facts(over));
    if (typeof expected === 'string') expect(text).toBe(expected);
    else expect(text).toMatch(expected);
  });

  it.each(Object.values(WhatsappState))('%s has a sentence', (state) => {
    const text = recommendedAction(facts({ state }));
    expect(typeof text).toBe('string');
    expect(text.length).toBeGreaterThan(10);
    expect(text).not.toMatch(/undefined|NaN|null/);
  });

  it('every state of the table is covered', () => {
    const covered = new Set(table.map(([, over]) => over.state));
    expect([...covered].sort()).toEqual(Object.values(WhatsappState).sort());
  });

  it('the QR countdown follows the clock', () => {
    const expiresAt = later(20_000);
    const at = (ms: number) =>
      recommendedAction(
        facts({ state: WhatsappState.QR_REQUIRED, qrExpiresAt: expiresAt, now: later(ms) }),
      );
    expect(at(0)).toContain('within 20 seconds');
    expect(at(5_000)).toContain('within 15 seconds');
    expect(at(19_500)).toMatch(/within 1 seconds?:/);
    expect(at(25_000)).toContain('within 0 seconds');
  });
});
