import { DisconnectReason } from '@whiskeysockets/baileys';
import {
  BackoffOptions,
  backoffDelay,
  decideOnDisconnect,
  DisconnectDecision,
  disconnectStatusCode,
  qrLifetimeMs,
} from './disconnect-policy';

/** What Baileys puts in `lastDisconnect.error`: a Boom with `output.statusCode`. */
const boom = (statusCode: unknown) =>
  Object.assign(new Error('closed'), { isBoom: true, output: { statusCode } });

describe('decideOnDisconnect', () => {
  // Every code of DESIGN.md's table, keyed by Baileys' own DisconnectReason so that a change of
  // the pinned library's codes breaks this table instead of production.
  const table: Array<[string, number | undefined, DisconnectDecision]> = [
    [
      'restartRequired (515): normal right after pairing, reconnect at once',
      DisconnectReason.restartRequired,
      { action: 'restart-now', reason: 'restart_required' },
    ],
    [
      'loggedOut (401): credentials are dead',
      DisconnectReason.loggedOut,
      { action: 'logged-out', reason: 'logged_out' },
    ],
    [
      'connectionReplaced (440): another client took the session, do not fight',
      DisconnectReason.connectionReplaced,
      { action: 'fail', reason: 'connection_replaced' },
    ],
    ['forbidden (403)', DisconnectReason.forbidden, { action: 'fail', reason: 'forbidden' }],
    [
      'multideviceMismatch (411)',
      DisconnectReason.multideviceMismatch,
      { action: 'fail', reason: 'multidevice_mismatch' },
    ],
    [
      'timedOut / connectionLost (408): network, or the QR refs ran out',
      DisconnectReason.timedOut,
      { action: 'retry', reason: 'timed_out' },
    ],
    [
      'connectionClosed (428)',
      DisconnectReason.connectionClosed,
      { action: 'retry', reason: 'connection_closed' },
    ],
    ['badSession (500)', DisconnectReason.badSession, { action: 'retry', reason: 'bad_session' }],
    [
      'unavailableService (503)',
      DisconnectReason.unavailableService,
      { action: 'retry', reason: 'service_unavailable' },
    ],
    [
      'no code (sock.end() without an error, a plain Error)',
      undefined,
      { action: 'retry', reason: 'connection_lost' },
    ],
    ['a code outside the table', 499, { action: 'retry', reason: 'closed_499' }],
    ['code 0 counts as no code', 0, { action: 'retry', reason: 'connection_lost' }],
  ];

  it.each(table)('%s', (_label, code, expected) => {
    expect(decideOnDisconnect(code)).toEqual(expected);
  });

  it('the two names Baileys gives 408 mean the same thing', () => {
    expect(DisconnectReason.connectionLost).toBe(DisconnectReason.timedOut);
    expect(decideOnDisconnect(DisconnectReason.connectionLost)).toEqual(
      decideOnDisconnect(DisconnectReason.timedOut),
    );
  });

  it('only 515 reconnects without backoff, only 401 deletes credentials', () => {
    const codes = [515, 401, 440, 403, 411, 408, 428, 500, 503, undefined, 418];
    const byAction = (action: DisconnectDecision['action']) =>
      codes.filter((c) => decideOnDisconnect(c).action === action);
    expect(byAction('restart-now')).toEqual([515]);
    expect(byAction('logged-out')).toEqual([401]);
    expect(byAction('fail')).toEqual([440, 403, 411]);
    expect(byAction('retry')).toEqual([408, 428, 500, 503, undefined, 418]);
  });
});

describe('disconnectStatusCode', () => {
  it.each<[string, unknown, number | undefined]>([
    ['a Boom with a status code', boom(515), 515],
    ['a plain object shaped like a Boom', { output: { statusCode: 401 } }, 401],
    ['a Boom without a status code', Object.assign(new Error('x'), { output: {} }), undefined],
    ['a plain Error', new Error('socket hang up'), undefined],
    ['undefined (sock.end() without an error)', undefined, undefined],
    ['null', null, undefined],
    ['a status code that is not a number', boom('401'), undefined],
    ['a string', 'closed', undefined],
  ])('%s', (_label, error, expected) => {
    expect(disconnectStatusCode(error)).toBe(expected);
  });
});

describe('backoffDelay', () => {
  const options: BackoffOptions = { baseMs: 1000, maxMs: 30_000, jitter: 0.2 };
  const middle = () => 0.5; // no jitter: random()*2-1 = 0

  it('doubles from the base on every attempt', () => {
    const delays = [1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, options, middle));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000]);
  });

  it('is capped at maxMs and stays there', () => {
    const delays = [5, 6, 7, 12, 50, 1000].map((attempt) => backoffDelay(attempt, options, middle));
    expect(delays).toEqual([16_000, 30_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('treats attempts below 1 as the first', () => {
    expect(backoffDelay(0, options, middle)).toBe(1000);
    expect(backoffDelay(-3, options, middle)).toBe(1000);
  });

  it.each([1, 2, 3, 6, 9])('attempt %i stays within ±jitter of its nominal delay', (attempt) => {
    const nominal = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
    const low = backoffDelay(attempt, options, () => 0);
    const high = backoffDelay(attempt, options, () => 0.999999);
    expect(low).toBe(Math.round(nominal * 0.8));
    expect(high).toBeLessThanOrEqual(Math.round(nominal * 1.2));
    expect(high).toBeGreaterThan(Math.round(nominal * 1.19));
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(attempt, options);
      expect(delay).toBeGreaterThanOrEqual(Math.round(nominal * 0.8));
      expect(delay).toBeLessThanOrEqual(Math.round(nominal * 1.2));
    }
  });

  it('jitter spreads delays (points dropped together do not all come back together)', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(3, options)));
    expect(seen.size).toBeGreaterThan(5);
  });

  it('the cap holds even with jitter: never more than maxMs·(1+jitter)', () => {
    expect(backoffDelay(40, options, () => 0.999999)).toBeLessThanOrEqual(36_000);
  });

  it('without jitter the delay is exact whatever random() says', () => {
    const exact = { ...options, jitter: 0 };
    expect(backoffDelay(3, exact, () => 0)).toBe(4000);
    expect(backoffDelay(3, exact, () => 0.99)).toBe(4000);
  });

  it('is never negative and always a whole number of milliseconds', () => {
    const wild = { baseMs: 3, maxMs: 7, jitter: 1.5 };
    for (let attempt = 1; attempt < 6; attempt++) {
      for (const r of [0, 0.1, 0.33, 0.5, 0.9]) {
        const delay = backoffDelay(attempt, wild, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });
});

describe('qrLifetimeMs', () => {
  it.each([
    [1, 60_000],
    [2, 20_000],
    [3, 20_000],
    [10, 20_000],
    [0, 60_000],
  ])('QR number %i lives %i ms', (n, ms) => {
    expect(qrLifetimeMs(n)).toBe(ms);
  });
});
