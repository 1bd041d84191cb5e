import { Logger } from '@nestjs/common';
import { WhatsappState } from '@bandeja/core';
import { BufferJSON, initAuthCreds, proto } from '@whiskeysockets/baileys';
import type { AuthenticationCreds, SignalKeyStore, WAMessage } from '@whiskeysockets/baileys';
import type { AuthStateHandle, AuthStateStore } from '../auth-state/auth-state-store';
import type { InboundMessage, ReceiptEvent, SessionStatus } from '../channel/channel.types';
import { WhatsappNotReadyError } from '../channel/channel.types';
import { backoffDelay } from '../session/disconnect-policy';
import {
  createFakeSocketFactory,
  FakeSocket,
  FakeSocketBehaviour,
  FakeSocketFactory,
} from '../testing/fake-socket';
import { BaileysSession, BaileysSessionOptions } from './baileys-session';

const POINT = '5f0c2d4e-8a1b-4c3d-9e7f-0a1b2c3d4e5f';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const PAIRED_JID = '59170000000:3@s.whatsapp.net';
const CUSTOMER_JID = '59170000001@s.whatsapp.net';
const HOUR = 3_600_000;

/** What a pairing writes into the creds (Baileys' configureSuccessfulPairing, abridged). */
const PAIRED: Partial<AuthenticationCreds> = {
  me: { id: PAIRED_JID, name: 'Sucursal Centro' },
  registered: true,
};

const copy = (creds: AuthenticationCreds): AuthenticationCreds =>
  JSON.parse(JSON.stringify(creds, BufferJSON.replacer), BufferJSON.reviver);

/**
 * Credentials kept in memory, serialized like a real store: a load sees only what a save had
 * written, never the live object of another socket. `gate` holds saves and clears back (a slow
 * disk or database) until the test releases it.
 */
class MemoryAuthStore implements AuthStateStore {
  readonly kind = 'file' as const;
  private readonly saved = new Map<string, AuthenticationCreds>();
  private gate?: Promise<void>;
  private open?: () => void;
  saves = 0;
  failLoad?: Error;

  readonly load = jest.fn(async (id: string): Promise<AuthStateHandle> => {
    if (this.failLoad) throw this.failLoad;
    const stored = this.saved.get(id);
    const creds = stored ? copy(stored) : initAuthCreds();
    const keys: SignalKeyStore = { get: async () => ({}), set: async () => undefined };
    return {
      state: { creds, keys },
      saveCreds: async () => {
        const snapshot = copy(creds);
        await this.gate;
        this.saved.set(id, snapshot);
        this.saves++;
      },
    };
  });

  readonly clear = jest.fn(async (id: string): Promise<void> => {
    await this.gate;
    this.saved.delete(id);
  });

  async hasCredentials(id: string): Promise<boolean> {
    const creds = this.saved.get(id);
    return Boolean(creds?.me || creds?.registered);
  }

  stored(id: string): AuthenticationCreds | undefined {
    return this.saved.get(id);
  }

  seed(id: string, creds: Partial<AuthenticationCreds>): void {
    this.saved.set(id, { ...initAuthCreds(), ...creds });
  }

  /** From now on saves and clears wait until `release()`. */
  holdWrites(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }
}

/** Lets every pending promise job run (loads, saves, the fake's behaviours). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

async function advance(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
  await settle();
}

interface Harness {
  session: BaileysSession;
  store: MemoryAuthStore;
  fakes: FakeSocketFactory;
  statuses: SessionStatus[];
  inbound: InboundMessage[];
  receipts: ReceiptEvent[];
  /** The states emitted so far, in order. */
  states(): WhatsappState[];
  /** The newest socket. */
  sock(): FakeSocket;
}

const BASE_OPTIONS = {
  maxReconnectAttempts: 5,
  backoff: { baseMs: 1000, maxMs: 8000, jitter: 0 },
  maxQrCodes: 3,
  livenessIntervalMs: 5000,
};

function setup(
  options: Partial<Omit<BaileysSessionOptions, 'store' | 'socketFactory'>> = {},
  behaviour?: FakeSocketBehaviour,
): Harness {
  const store = new MemoryAuthStore();
  const fakes = createFakeSocketFactory(behaviour);
  const session = new BaileysSession({
    servicePointId: POINT,
    store,
    socketFactory: fakes.factory,
    ...BASE_OPTIONS,
    ...options,
  });
  const statuses: SessionStatus[] = [];
  const inbound: InboundMessage[] = [];
  const receipts: ReceiptEvent[] = [];
  session.on('status', (s) => statuses.push(s));
  session.on('inbound', (m) => inbound.push(m));
  session.on('receipt', (r) => receipts.push(r));
  return {
    session,
    store,
    fakes,
    statuses,
    inbound,
    receipts,
    states: () => statuses.map((s) => s.state),
    sock: () => {
      const last = fakes.sockets.at(-1);
      if (!last) throw new Error('no socket was created');
      return last;
    },
  };
}

/** A session that went through start → open. */
async function connected(
  options: Partial<Omit<BaileysSessionOptions, 'store' | 'socketFactory'>> = {},
): Promise<Harness> {
  const h = setup(options);
  h.store.seed(POINT, PAIRED);
  await h.session.start();
  h.sock().open(PAIRED_JID);
  expect(h.session.status().state).toBe(WhatsappState.CONNECTED);
  h.statuses.length = 0;
  return h;
}

/** A customer's text as Baileys delivers it on `messages.upsert`. */
function textMessage(id: string, text: string, over: Partial<WAMessage['key']> = {}): WAMessage {
  return {
    key: { remoteJid: CUSTOMER_JID, fromMe: false, id, ...over },
    message: { conversation: text },
    messageTimestamp: Math.floor(NOW.getTime() / 1000),
    pushName: 'Ana',
  } as WAMessage;
}

/** A socket whose `ev.removeAllListeners` does nothing: its late events still reach the session. */
function keepListeners(sock: FakeSocket): void {
  sock.ev.removeAllListeners = (() => sock.ev) as typeof sock.ev.removeAllListeners;
}

beforeEach(() => {
  jest.useFakeTimers({ now: NOW });
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('BaileysSession', () => {
  describe('pairing', () => {
    it('STOPPED → INITIALIZING → QR_REQUIRED → CONNECTED, each step with an honest status', async () => {
      const h = setup();
      const initial = h.session.status();
      expect(initial).toMatchObject({
        state: WhatsappState.STOPPED,
        connected: false,
        canSendMessages: false,
        needsQr: false,
        phoneNumber: null,
        lastQrAt: null,
        lastError: null,
        qr: null,
        attempt: 0,
        nextRetryAt: null,
      });

      await h.session.start();
      expect(h.store.load).toHaveBeenCalledWith(POINT);
      expect(h.fakes.sockets).toHaveLength(1);
      expect(h.sock().options.servicePointId).toBe(POINT);
      expect(h.sock().creds.me).toBeUndefined(); // fresh creds: a QR is coming
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.INITIALIZING,
        canSendMessages: false,
        recommendedAction: 'Starting the session…',
      });

      h.sock().emitQr('qr-one');
      const first = h.session.status();
      expect(first).toMatchObject({
        state: WhatsappState.QR_REQUIRED,
        connected: false,
        canSendMessages: false,
        needsQr: true,
        qr: { qr: 'qr-one', expiresAt: new Date(NOW.getTime() + 60_000) },
        lastQrAt: NOW,
      });
      expect(first.recommendedAction).toMatch(/within 60 seconds/);

      await advance(25_000);
      expect(h.session.status().recommendedAction).toMatch(/within 35 seconds/);

      await advance(35_000);
      const refreshAt = new Date(NOW.getTime() + 60_000);
      h.sock().emitQr('qr-two');
      const second = h.session.status();
      expect(second.qr).toEqual({
        qr: 'qr-two',
        expiresAt: new Date(refreshAt.getTime() + 20_000),
      });
      expect(second.lastQrAt).toEqual(refreshAt);
      expect(second.recommendedAction).toMatch(/within 20 seconds/);
      // A refresh is a new event (the console shows the new code) but not a new state.
      expect(second.since).toEqual(first.since);

      h.sock().emitCredsUpdate(PAIRED);
      h.sock().open(PAIRED_JID);
      const done = h.session.status();
      expect(done).toMatchObject({
        state: WhatsappState.CONNECTED,
        connected: true,
        canSendMessages: true,
        needsQr: false,
        phoneNumber: '+59170000000',
        lastError: null,
        qr: null,
        attempt: 0,
        nextRetryAt: null,
        recommendedAction: 'Connected. Nothing to do.',
      });
      expect(done.lastQrAt).toEqual(refreshAt);

      const sent = await h.session.send('+59170000001', 'hola');
      expect(h.sock().sent).toEqual([
        { jid: CUSTOMER_JID, text: 'hola', id: sent.providerMessageId },
      ]);

      expect(h.states()).toEqual([
        WhatsappState.INITIALIZING,
        WhatsappState.QR_REQUIRED,
        WhatsappState.QR_REQUIRED,
        WhatsappState.CONNECTED,
      ]);
      // Every event carries the full status as it was at that moment.
      expect(h.statuses.map((s) => s.qr?.qr ?? null)).toEqual([null, 'qr-one', 'qr-two', null]);
      expect(h.statuses.map((s) => s.canSendMessages)).toEqual([false, false, false, true]);
      expect(h.fakes.sockets).toHaveLength(1);
    });

    it('saves the creds on every creds.update', async () => {
      const h = setup();
      await h.session.start();
      h.sock().emitCredsUpdate(PAIRED);
      await settle();
      expect(h.store.saves).toBe(1);
      expect(h.store.stored(POINT)?.me?.id).toBe(PAIRED_JID);
    });

    it('"connecting" shows CONNECTING, but never hides a QR on screen', async () => {
      const h = setup();
      await h.session.start();
      h.sock().ev.emit('connection.update', { connection: 'connecting' });
      expect(h.session.status().state).toBe(WhatsappState.CONNECTING);
      expect(h.session.status().recommendedAction).toBe('Connecting to WhatsApp…');
      h.sock().emitQr();
      h.sock().ev.emit('connection.update', { connection: 'connecting' });
      expect(h.session.status().state).toBe(WhatsappState.QR_REQUIRED);
      expect(h.states()).toEqual([
        WhatsappState.INITIALIZING,
        WhatsappState.CONNECTING,
        WhatsappState.QR_REQUIRED,
      ]);
    });

    it('a paired point opens without a QR', async () => {
      const h = setup();
      h.store.seed(POINT, PAIRED);
      await h.session.start();
      expect(h.sock().creds.me?.id).toBe(PAIRED_JID);
      h.sock().open(PAIRED_JID);
      expect(h.states()).toEqual([WhatsappState.INITIALIZING, WhatsappState.CONNECTED]);
      expect(h.session.status().lastQrAt).toBeNull();
    });

    it('515 right after pairing: a new socket at once (no backoff) on the saved creds, then CONNECTED', async () => {
      const h = setup();
      await h.session.start();
      const first = h.sock();
      first.emitQr();
      first.emitCredsUpdate(PAIRED);
      first.close(515);
      await settle(); // no timer advanced: a restart does not wait for a backoff

      expect(h.fakes.sockets).toHaveLength(2);
      const second = h.sock();
      expect(second).not.toBe(first);
      expect(first.ended).toBe(true);
      expect(second.creds.me?.id).toBe(PAIRED_JID); // the pairing survived the restart
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.CONNECTING,
        attempt: 0,
        nextRetryAt: null,
        qr: null,
        needsQr: false,
      });

      second.open(PAIRED_JID);
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.CONNECTED,
        lastError: null,
        canSendMessages: true,
      });
      expect(h.states()).toEqual([
        WhatsappState.INITIALIZING,
        WhatsappState.QR_REQUIRED,
        WhatsappState.CONNECTING,
        WhatsappState.CONNECTED,
      ]);
    });

    it('a socket that keeps answering 515 is backed off after 3 immediate restarts', async () => {
      const h = setup();
      await h.session.start();
      for (let i = 0; i < 3; i++) {
        h.sock().close(515);
        await settle();
      }
      expect(h.fakes.sockets).toHaveLength(4); // three restarts at once
      h.sock().close(515);
      await settle();
      expect(h.fakes.sockets).toHaveLength(4); // the fourth waits for a backoff delay
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.DISCONNECTED,
        attempt: 1,
        lastError: 'restart_required',
      });
    });

    it('515 while the pairing creds are still being written: the new socket waits for them', async () => {
      const h = setup();
      await h.session.start();
      h.sock().emitQr();
      h.store.holdWrites(); // a slow disk or database
      h.sock().emitCredsUpdate(PAIRED);
      h.sock().close(515);
      await settle();

      h.store.release();
      await settle();
      expect(h.fakes.sockets).toHaveLength(2);
      // Loaded from the store after the save landed, not the fresh creds of before the scan
      // (which would mean a new QR right after the person scanned one).
      expect(h.sock().creds.me?.id).toBe(PAIRED_JID);
      expect(h.sock().creds.registered).toBe(true);
    });

    it('after maxQrCodes unscanned QRs the next one stops the session and says so', async () => {
      const h = setup({ maxQrCodes: 3 });
      await h.session.start();
      const sock = h.sock();
      for (let i = 1; i <= 3; i++) {
        sock.emitQr(`qr-${i}`);
        expect(h.session.status().state).toBe(WhatsappState.QR_REQUIRED);
        await advance(i === 1 ? 60_000 : 20_000);
      }
      sock.emitQr('qr-4');
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.STOPPED,
        lastError: 'qr_not_scanned',
        qr: null,
        needsQr: false,
        canSendMessages: false,
        recommendedAction: 'No QR code was scanned in time. Press Connect to get a new one.',
      });
      expect(sock.ended).toBe(true);
      expect(sock.endCalls).toHaveLength(1);
      expect(h.statuses.some((s) => s.qr?.qr === 'qr-4')).toBe(false);

      await advance(HOUR);
      expect(h.fakes.sockets).toHaveLength(1);
      expect(h.states().at(-1)).toBe(WhatsappState.STOPPED);

      // Connect again: a new pairing window with its own count of QRs.
      await h.session.start();
      for (let i = 1; i <= 3; i++) h.sock().emitQr(`again-${i}`);
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.QR_REQUIRED,
        lastError: null,
        qr: { qr: 'again-3' },
      });
    });

    it('408 while the QR is showing (Baileys ran out of QR refs) stops with qr_not_scanned, no retry', async () => {
      const h = setup();
      await h.session.start();
      h.sock().emitQr();
      h.sock().close(408);
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.STOPPED,
        lastError: 'qr_not_scanned',
        qr: null,
        attempt: 0,
        nextRetryAt: null,
      });
      await advance(HOUR);
      expect(h.fakes.sockets).toHaveLength(1);
      expect(h.states()).toEqual([
        WhatsappState.INITIALIZING,
        WhatsappState.QR_REQUIRED,
        WhatsappState.STOPPED,
      ]);
    });
  });

  describe('disconnect codes', () => {
    it('401: credentials deleted, LOGGED_OUT, and no new socket', async () => {
      const h = await connected();
      h.sock().close(401);
      await settle();
      expect(h.store.clear).toHaveBeenCalledTimes(1);
      expect(h.store.clear).toHaveBeenCalledWith(POINT);
      expect(await h.store.hasCredentials(POINT)).toBe(false);
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.LOGGED_OUT,
        lastError: 'logged_out',
        connected: false,
        canSendMessages: false,
        needsQr: true,
        phoneNumber: null,
        recommendedAction:
          'This device was unlinked from WhatsApp. Press Connect and scan a new QR code.',
      });
      expect(h.states()).toEqual([WhatsappState.LOGGED_OUT]);
      await advance(HOUR);
      expect(h.fakes.sockets).toHaveLength(1);
      expect(h.store.clear).toHaveBeenCalledTimes(1);
    });

    it('401 then Connect before the credentials are gone: the new socket gets fresh creds', async () => {
      const h = await connected();
      h.store.holdWrites();
      h.sock().close(401);
      await settle();
      expect(h.session.canSendMessages()).toBe(false);

      // start() resolves once the attempt is under way: here, after the deletion landed.
      const starting = h.session.start();
      await settle();
      expect(h.fakes.sockets).toHaveLength(1);
      h.store.release();
      await starting;
      await settle();

      // The late end of the deletion does not overwrite the new attempt's state...
      expect(h.session.status().state).toBe(WhatsappState.INITIALIZING);
      expect(h.fakes.sockets).toHaveLength(2);
      // ...and the new socket did not start on the unlinked identity.
      expect(h.sock().creds.me).toBeUndefined();
      h.sock().emitQr();
      expect(h.session.status().state).toBe(WhatsappState.QR_REQUIRED);
    });

    it('440: FAILED connection_replaced, and never a reconnect fight', async () => {
      const h = await connected();
      h.sock().close(440);
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.FAILED,
        lastError: 'connection_replaced',
        canSendMessages: false,
        nextRetryAt: null,
      });
      expect(h.session.status().recommendedAction).toMatch(/somewhere else/);
      await advance(24 * HOUR);
      expect(h.fakes.sockets).toHaveLength(1);
      expect(h.store.clear).not.toHaveBeenCalled(); // the credentials are still good
      expect(h.states()).toEqual([WhatsappState.FAILED]);
    });

    it.each([
      [403, 'forbidden', /refused this number/],
      [411, 'multidevice_mismatch', /Update WhatsApp on the phone/],
    ])('%i: FAILED with reason %s, no retry', async (code, reason, action) => {
      const h = await connected();
      h.sock().close(code);
      expect(h.session.status()).toMatchObject({ state: WhatsappState.FAILED, lastError: reason });
      expect(h.session.status().recommendedAction).toMatch(action);
      await advance(HOUR);
      expect(h.fakes.sockets).toHaveLength(1);
      expect(h.store.clear).not.toHaveBeenCalled();
    });

    it.each<[string, number | undefined, string]>([
      ['408 timed out', 408, 'timed_out'],
      ['428 connection closed', 428, 'connection_closed'],
      ['503 service unavailable', 503, 'service_unavailable'],
      ['500 bad session', 500, 'bad_session'],
      ['no status code', undefined, 'connection_lost'],
    ])(
      '%s while CONNECTED: DISCONNECTED, then a new socket after the delay',
      async (_l, code, reason) => {
        const h = await connected();
        const old = h.sock();
        old.close(code);
        const waiting = h.session.status();
        expect(waiting).toMatchObject({
          state: WhatsappState.DISCONNECTED,
          connected: false,
          canSendMessages: false,
          lastError: reason,
          attempt: 1,
          nextRetryAt: new Date(NOW.getTime() + 1000),
        });
        expect(waiting.recommendedAction).toMatch(/^Reconnecting \(attempt 1 of 5, next in 1 s\)/);

        await advance(999);
        expect(h.fakes.sockets).toHaveLength(1);
        await advance(1);
        expect(h.fakes.sockets).toHaveLength(2);
        expect(h.sock().creds.me?.id).toBe(PAIRED_JID); // same credentials, new socket
        expect(h.session.status()).toMatchObject({
          state: WhatsappState.CONNECTING,
          attempt: 1,
          nextRetryAt: null,
          recommendedAction: 'Reconnecting (attempt 1 of 5)…',
        });

        h.sock().open(PAIRED_JID);
        expect(h.session.status()).toMatchObject({
          state: WhatsappState.CONNECTED,
          attempt: 0,
          lastError: null,
        });
        expect(h.states()).toEqual([
          WhatsappState.DISCONNECTED,
          WhatsappState.CONNECTING,
          WhatsappState.CONNECTED,
        ]);
        expect(h.store.clear).not.toHaveBeenCalled();
      },
    );

    it('a plain Error without a code is a lost connection too', async () => {
      const h = await connected();
      h.sock().ev.emit('connection.update', {
        connection: 'close',
        lastDisconnect: { error: new Error('socket hang up') },
      });
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.DISCONNECTED,
        lastError: 'connection_lost',
        attempt: 1,
      });
    });
  });

  describe('backoff', () => {
    /** Closes the newest socket with `code` and returns the delay the session announced. */
    function failAndReadDelay(h: Harness, code = 408): number {
      h.sock().close(code);
      const status = h.session.status();
      expect(status.state).toBe(WhatsappState.DISCONNECTED);
      return (status.nextRetryAt as Date).getTime() - Date.now();
    }

    it('delays double per failed attempt, are capped, and after maxReconnectAttempts the session gives up', async () => {
      jest.spyOn(Math, 'random').mockReturnValue(0.5); // jitter adds exactly 0
      const backoff = { baseMs: 1000, maxMs: 8000, jitter: 0.2 };
      const h = await connected({ maxReconnectAttempts: 6, backoff });
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 6; attempt++) {
        const delay = failAndReadDelay(h);
        expect(h.session.status().attempt).toBe(attempt);
        expect(delay).toBe(backoffDelay(attempt, backoff, () => 0.5));
        delays.push(delay);
        await advance(delay);
        expect(h.fakes.sockets).toHaveLength(attempt + 1);
      }
      expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);

      // The 7th failure in a row: give up and say so.
      h.sock().close(408);
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.FAILED,
        lastError: 'gave_up',
        attempt: 6,
        nextRetryAt: null,
        recommendedAction:
          "Could not reconnect after 6 attempts. Check the server's internet connection, then press Connect.",
      });
      await advance(24 * HOUR);
      expect(h.fakes.sockets).toHaveLength(7);
      expect(h.states().at(-1)).toBe(WhatsappState.FAILED);
    });

    it('the second retry waits longer than the first, whatever the jitter', async () => {
      const h = await connected({ backoff: { baseMs: 1000, maxMs: 60_000, jitter: 0.2 } });
      const first = failAndReadDelay(h);
      await advance(first);
      const second = failAndReadDelay(h);
      expect(first).toBeGreaterThanOrEqual(800);
      expect(first).toBeLessThanOrEqual(1200);
      expect(second).toBeGreaterThanOrEqual(1600);
      expect(second).toBeLessThanOrEqual(2400);
      expect(second).toBeGreaterThan(first);
    });

    it('a successful reconnect resets the attempt count and the delay', async () => {
      const h = await connected();
      await advance(failAndReadDelay(h));
      await advance(failAndReadDelay(h));
      expect(h.session.status().attempt).toBe(2);
      h.sock().open(PAIRED_JID);
      expect(h.session.status()).toMatchObject({ state: WhatsappState.CONNECTED, attempt: 0 });

      expect(failAndReadDelay(h)).toBe(1000);
      expect(h.session.status().attempt).toBe(1);
    });

    it('a socket that cannot even be created counts as a failed attempt', async () => {
      const store = new MemoryAuthStore();
      store.seed(POINT, PAIRED);
      const fakes = createFakeSocketFactory();
      const session = new BaileysSession({
        servicePointId: POINT,
        store,
        // The first socket works; every later one throws on creation.
        socketFactory: (options) => {
          if (fakes.sockets.length > 0) throw new Error('no network');
          return fakes.factory(options);
        },
        ...BASE_OPTIONS,
        maxReconnectAttempts: 2,
      });
      const states: WhatsappState[] = [];
      session.on('status', (s) => states.push(s.state));
      await session.start();
      fakes.sockets[0].open(PAIRED_JID);
      fakes.sockets[0].close(408);
      await advance(1000); // attempt 1: the factory throws
      expect(session.status()).toMatchObject({ state: WhatsappState.DISCONNECTED, attempt: 2 });
      await advance(2000); // attempt 2: throws again
      expect(session.status()).toMatchObject({
        state: WhatsappState.FAILED,
        lastError: 'gave_up',
      });
      expect(states).toEqual([
        WhatsappState.INITIALIZING,
        WhatsappState.CONNECTED,
        WhatsappState.DISCONNECTED,
        WhatsappState.CONNECTING,
        WhatsappState.DISCONNECTED,
        WhatsappState.CONNECTING,
        WhatsappState.FAILED,
      ]);
    });
  });

  describe('stop and logout', () => {
    it('stop() while CONNECTED: STOPPED, and the close that end() emits is not a failure', async () => {
      const h = await connected();
      const sock = h.sock();
      await h.session.stop();
      expect(sock.endCalls).toHaveLength(1);
      expect(sock.ended).toBe(true);
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.STOPPED,
        connected: false,
        canSendMessages: false,
        lastError: null,
        nextRetryAt: null,
        attempt: 0,
      });
      await advance(HOUR);
      expect(h.fakes.sockets).toHaveLength(1);
      expect(h.states()).toEqual([WhatsappState.STOPPED]);
    });

    it('stop() is not a failure even when the close reaches the session (listeners not removable)', async () => {
      const h = await connected();
      const sock = h.sock();
      keepListeners(sock);
      await h.session.stop();
      expect(sock.endCalls).toHaveLength(1);
      // The fake emitted the close synchronously inside end(), to a listener still attached.
      expect(sock.ev.listenerCount('connection.update')).toBeGreaterThan(0);
      await advance(HOUR);
      expect(h.fakes.sockets).toHaveLength(1);
      expect(h.states()).toEqual([WhatsappState.STOPPED]);
      expect(h.session.status().lastError).toBeNull();
    });

    it('stop() during the backoff wait cancels the retry', async () => {
      const h = await connected();
      h.sock().close(428);
      expect(h.session.status().state).toBe(WhatsappState.DISCONNECTED);
      await advance(500);
      await h.session.stop();
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.STOPPED,
        nextRetryAt: null,
      });
      await advance(HOUR);
      expect(h.fakes.sockets).toHaveLength(1);
      expect(h.states()).toEqual([WhatsappState.DISCONNECTED, WhatsappState.STOPPED]);
    });

    it('stop() while the credentials are still loading: no socket is created', async () => {
      const h = setup();
      let finishLoad!: () => void;
      const loaded = new Promise<void>((resolve) => (finishLoad = resolve));
      const realLoad = h.store.load.getMockImplementation()!;
      h.store.load.mockImplementationOnce(async (id: string) => {
        await loaded;
        return realLoad(id);
      });
      const starting = h.session.start();
      await settle();
      await h.session.stop();
      finishLoad();
      await starting;
      await settle();
      expect(h.fakes.sockets).toHaveLength(0);
      expect(h.states()).toEqual([WhatsappState.INITIALIZING, WhatsappState.STOPPED]);
    });

    it('stop() while showing a QR', async () => {
      const h = setup();
      await h.session.start();
      h.sock().emitQr();
      await h.session.stop();
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.STOPPED,
        qr: null,
        needsQr: false,
      });
      expect(h.sock().ended).toBe(true);
    });

    it('logout() while CONNECTED: unlinks on the phone, deletes the credentials, LOGGED_OUT', async () => {
      const h = await connected();
      const sock = h.sock();
      await h.session.logout();
      expect(sock.loggedOut).toBe(true);
      expect(sock.ended).toBe(true);
      expect(h.store.clear).toHaveBeenCalledWith(POINT);
      expect(await h.store.hasCredentials(POINT)).toBe(false);
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.LOGGED_OUT,
        needsQr: true,
        phoneNumber: null,
        canSendMessages: false,
      });
      // The 401 that the socket's own logout emits is not a second transition.
      expect(h.states()).toEqual([WhatsappState.LOGGED_OUT]);
      await advance(HOUR);
      expect(h.fakes.sockets).toHaveLength(1);
    });

    it('logout() while showing a QR deletes the credentials without a logout request', async () => {
      const h = setup();
      await h.session.start();
      h.sock().emitQr();
      await h.session.logout();
      expect(h.sock().loggedOut).toBe(false);
      expect(h.store.clear).toHaveBeenCalledWith(POINT);
      expect(h.session.status().state).toBe(WhatsappState.LOGGED_OUT);
    });

    it('logout() still forgets the credentials when the logout request fails', async () => {
      const h = await connected();
      h.sock().logout = async () => {
        throw new Error('not connected');
      };
      await h.session.logout();
      expect(h.store.clear).toHaveBeenCalledWith(POINT);
      expect(h.session.status().state).toBe(WhatsappState.LOGGED_OUT);
    });

    it('logout() right after a creds.update: the late save does not bring the credentials back', async () => {
      const h = await connected();
      h.store.holdWrites();
      h.sock().emitCredsUpdate({ accountSyncCounter: 7 });
      const out = h.session.logout();
      await settle();
      h.store.release();
      await out;
      await settle();
      expect(await h.store.hasCredentials(POINT)).toBe(false);
      expect(h.store.stored(POINT)).toBeUndefined();
    });
  });

  describe('sending', () => {
    it.each<[string, (h: Harness) => Promise<void>, WhatsappState]>([
      ['never started', async () => undefined, WhatsappState.STOPPED],
      ['starting', async (h) => void (await h.session.start()), WhatsappState.INITIALIZING],
      [
        'showing a QR',
        async (h) => {
          await h.session.start();
          h.sock().emitQr();
        },
        WhatsappState.QR_REQUIRED,
      ],
      [
        'waiting to reconnect',
        async (h) => {
          h.store.seed(POINT, PAIRED);
          await h.session.start();
          h.sock().open(PAIRED_JID);
          h.sock().close(408);
        },
        WhatsappState.DISCONNECTED,
      ],
      [
        'stopped',
        async (h) => {
          h.store.seed(POINT, PAIRED);
          await h.session.start();
          h.sock().open(PAIRED_JID);
          await h.session.stop();
        },
        WhatsappState.STOPPED,
      ],
    ])('fails fast with WhatsappNotReadyError when %s', async (_label, arrange, state) => {
      const h = setup();
      await arrange(h);
      expect(h.session.status().canSendMessages).toBe(false);
      const error = await h.session.send('+59170000001', 'hola').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WhatsappNotReadyError);
      expect(error).toMatchObject({ servicePointId: POINT, state });
      expect(h.fakes.sockets.flatMap((s) => s.sent)).toEqual([]);
    });

    it('a CONNECTED session whose socket is no longer open cannot send (it only looks connected)', async () => {
      const h = await connected();
      h.sock().ws.isOpen = false;
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.CONNECTED,
        canSendMessages: false,
      });
      await expect(h.session.send('+59170000001', 'hola')).rejects.toBeInstanceOf(
        WhatsappNotReadyError,
      );
      expect(h.sock().sent).toEqual([]);
    });

    it('an invalid phone number is refused before anything is sent', async () => {
      const h = await connected();
      await expect(h.session.send('70000001', 'hola')).rejects.toThrow(/E\.164/);
      expect(h.sock().sent).toEqual([]);
    });
  });

  describe('liveness', () => {
    it('CONNECTED but the socket died silently: after the liveness interval the session reconnects', async () => {
      const h = await connected({ livenessIntervalMs: 5000 });
      const old = h.sock();
      old.ws.isOpen = false; // no close event: the dangerous case
      await advance(4999);
      expect(h.session.status().state).toBe(WhatsappState.CONNECTED);
      await advance(1);
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.DISCONNECTED,
        attempt: 1,
        lastError: 'connection_closed',
      });
      expect(old.endCalls).toHaveLength(1);
      await advance(1000);
      expect(h.fakes.sockets).toHaveLength(2);
      h.sock().open(PAIRED_JID);
      expect(h.session.status().canSendMessages).toBe(true);
      expect(h.states()).toEqual([
        WhatsappState.DISCONNECTED,
        WhatsappState.CONNECTING,
        WhatsappState.CONNECTED,
      ]);
    });

    it('a healthy socket is left alone', async () => {
      const h = await connected({ livenessIntervalMs: 5000 });
      await advance(10 * 5000);
      expect(h.fakes.sockets).toHaveLength(1);
      expect(h.statuses).toEqual([]);
    });

    it('liveness stops with the session', async () => {
      const h = await connected({ livenessIntervalMs: 5000 });
      await h.session.stop();
      h.sock().ws.isOpen = false;
      await advance(60_000);
      expect(h.states()).toEqual([WhatsappState.STOPPED]);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('old sockets', () => {
    it('events of a socket replaced by a reconnect are ignored', async () => {
      const h = await connected();
      const old = h.sock();
      keepListeners(old); // even if its listeners were still attached
      old.close(408);
      await advance(1000);
      const fresh = h.sock();
      expect(fresh).not.toBe(old);
      const before = h.statuses.length;

      old.ev.emit('connection.update', { connection: 'open' });
      old.ev.emit('connection.update', { qr: 'stale-qr' });
      old.ev.emit('connection.update', {
        connection: 'close',
        lastDisconnect: { error: { output: { statusCode: 440 } } },
      });
      old.emitUpsert(textMessage('OLD-1', 'hola'));
      expect(h.session.status().state).toBe(WhatsappState.CONNECTING);
      expect(h.statuses).toHaveLength(before);
      expect(h.inbound).toEqual([]);

      fresh.open(PAIRED_JID);
      expect(h.session.status().state).toBe(WhatsappState.CONNECTED);
    });

    it('start() on a running session replaces its socket and starts over', async () => {
      const h = await connected();
      const old = h.sock();
      await h.session.start();
      expect(old.ended).toBe(true);
      expect(h.fakes.sockets).toHaveLength(2);
      expect(h.session.status()).toMatchObject({ state: WhatsappState.INITIALIZING, attempt: 0 });
      old.ev.emit('connection.update', { connection: 'open' });
      expect(h.session.status().state).toBe(WhatsappState.INITIALIZING);
    });
  });

  describe('inbound and receipts', () => {
    it('a notify text from a customer is emitted as an InboundMessage', async () => {
      const h = await connected();
      h.sock().emitUpsert(textMessage('3EB0AA01', 'hola, ¿tienen envíos?'));
      expect(h.inbound).toEqual([
        {
          servicePointId: POINT,
          providerMessageId: '3EB0AA01',
          customerPhone: '+59170000001',
          pushName: 'Ana',
          text: 'hola, ¿tienen envíos?',
          kind: 'text',
          fromMe: false,
          timestamp: NOW,
        },
      ]);
    });

    it('groups and status broadcasts are not customer messages', async () => {
      const h = await connected();
      h.sock().emitUpsert([
        textMessage('G1', 'en el grupo', { remoteJid: '120363000000000000@g.us' }),
        textMessage('S1', 'estado', { remoteJid: 'status@broadcast' }),
      ]);
      expect(h.inbound).toEqual([]);
    });

    it('our own sent message echoed back is not inbound; one typed on the phone is', async () => {
      const h = await connected();
      const { providerMessageId } = await h.session.send('+59170000001', 'su pedido salió');
      h.sock().emitUpsert(textMessage(providerMessageId, 'su pedido salió', { fromMe: true }));
      expect(h.inbound).toEqual([]);

      h.sock().emitUpsert(textMessage('PHONE-1', 'te llamo', { fromMe: true }));
      expect(h.inbound).toEqual([
        expect.objectContaining({
          providerMessageId: 'PHONE-1',
          fromMe: true,
          pushName: null,
          customerPhone: '+59170000001',
        }),
      ]);
    });

    it('an echo that arrives before send() resolves is not inbound either (id chosen by Bandeja)', async () => {
      const h = await connected();
      const sock = h.sock();
      const realSend = sock.sendMessage.bind(sock);
      sock.sendMessage = async (jid, content, options) => {
        const result = await realSend(jid, content, options);
        // Baileys emits the echo of our own message while sendMessage is still running.
        sock.emitUpsert(textMessage(result.key.id, content.text, { fromMe: true }));
        return result;
      };
      const sent = await h.session.send('+59170000001', 'hola', { messageId: 'BANDEJA-0001' });
      expect(sent.providerMessageId).toBe('BANDEJA-0001');
      expect(sock.sent).toEqual([{ jid: CUSTOMER_JID, text: 'hola', id: 'BANDEJA-0001' }]);
      expect(h.inbound).toEqual([]);
    });

    it('receipts on messages.update are emitted', async () => {
      const h = await connected();
      const { providerMessageId } = await h.session.send('+59170000001', 'hola');
      h.sock().emitMessagesUpdate([
        {
          key: { remoteJid: CUSTOMER_JID, fromMe: true, id: providerMessageId },
          update: { status: proto.WebMessageInfo.Status.DELIVERY_ACK },
        },
        {
          key: { remoteJid: CUSTOMER_JID, fromMe: true, id: providerMessageId },
          update: { status: proto.WebMessageInfo.Status.READ },
        },
      ]);
      expect(h.receipts).toEqual([
        { servicePointId: POINT, providerMessageId, status: 'DELIVERED', at: NOW },
        { servicePointId: POINT, providerMessageId, status: 'READ', at: NOW },
      ]);
    });
  });

  describe('credentials that cannot be read', () => {
    it('FAILED with credentials_unreadable and no socket (never a silent new pairing)', async () => {
      const h = setup();
      h.store.failLoad = new Error('bad key');
      await h.session.start();
      expect(h.fakes.sockets).toHaveLength(0);
      expect(h.session.status()).toMatchObject({
        state: WhatsappState.FAILED,
        lastError: 'credentials_unreadable',
      });
      expect(h.session.status().recommendedAction).toMatch(/credentials_unreadable/);
      await advance(HOUR);
      expect(h.fakes.sockets).toHaveLength(0);
    });
  });
});
