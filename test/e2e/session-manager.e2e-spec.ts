import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig, PrismaService, WhatsappState } from '@bandeja/core';
import {
  AUTH_STATE_STORE,
  AuthStateStore,
  SessionBus,
  SessionManager,
  StoredStatus,
} from '@bandeja/whatsapp';
import {
  createFakeSocketFactory,
  FakeSocketFactory,
  opensWhenPaired,
} from '@bandeja/whatsapp/testing/fake-socket';
import IORedis from 'ioredis';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { adminLogin, bootApi, createPoint, TestApi } from '../support/api';
import { adminDatabaseUrl } from '../support/test-env';

/**
 * The SessionManager as the worker builds it (WorkerModule, real Postgres and Redis), with the
 * Baileys socket replaced by FakeSocket: several points at once, restarts that resume paired
 * credentials from the file and the Postgres store without a new QR, the Redis snapshot and the
 * point's row, and leases between workers.
 *
 * This file runs on its own database (a copy of the schema, created here): a worker context
 * adopts every point with auto-start on boot, so on the shared run database it would pick up
 * (and write to) the points of e2e files running in parallel.
 */
// Jest's per-test default (5 s) is the deadline of a single wait below; a test makes several.
jest.setTimeout(30_000);

const ROOT = join(__dirname, '../..');
const PAIRED_JID = '59170000000:3@s.whatsapp.net';
const DEADLINE_MS = 5000;

/** Polls until `check` returns something truthy; fails with `what` after the deadline. */
async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = DEADLINE_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(20);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function createDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'migrate', 'deploy'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url.toString() },
    stdio: 'pipe', // its output only matters when it fails, and then it is in the error
  });
  return url.toString();
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

interface Worker {
  ctx: INestApplicationContext;
  manager: SessionManager;
  bus: SessionBus;
  store: AuthStateStore;
  fakes: FakeSocketFactory;
  close(): Promise<void>;
}

describe('SessionManager with fake sockets (real Postgres and Redis)', () => {
  const dbName = `${process.env.E2E_DB_NAME ?? `bandeja_e2e_${process.pid}`}_sessions`;
  const basePrefix = `${process.env.REDIS_PREFIX}-sessions`;
  const tempDirs: string[] = [];
  const open = new Set<Worker>();
  let databaseUrl: string;
  let api: TestApi;
  let token: string;
  let redis: IORedis;
  let prisma: PrismaService;
  let prefix: string;
  let testNo = 0;

  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'bandeja-sessions-'));
    tempDirs.push(dir);
    return dir;
  };

  /** A worker process, as apps/worker builds it, with `fakes` for sockets. */
  async function bootWorker(
    env: Record<string, string> = {},
    fakes: FakeSocketFactory = createFakeSocketFactory(),
  ): Promise<Worker> {
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_PREFIX: prefix,
      WA_BACKOFF_BASE_MS: '50',
      WA_BACKOFF_MAX_MS: '400',
      WA_START_STAGGER_MS: '0',
      AUTH_STORE: 'file',
      BAILEYS_AUTH_DIR: env.BAILEYS_AUTH_DIR ?? tempDir(),
      ...env,
    });
    const ctx = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(config, { socketFactory: fakes.factory }),
      { logger: false },
    );
    let closed = false;
    const worker: Worker = {
      ctx,
      manager: ctx.get(SessionManager),
      bus: ctx.get(SessionBus),
      store: ctx.get<AuthStateStore>(AUTH_STATE_STORE),
      fakes,
      close: async () => {
        if (closed) return;
        closed = true;
        open.delete(worker);
        await ctx.close();
      },
    };
    open.add(worker);
    await ctx.init();
    return worker;
  }

  const newPoint = async () =>
    (await createPoint(api, token, { provider: 'BAILEYS' })).id as string;

  const stateOf = (w: Worker, id: string) => w.manager.get(id)?.status().state;

  const reachState = (w: Worker, id: string, state: WhatsappState) =>
    waitFor(`${id} ${state} (is ${stateOf(w, id)})`, () => stateOf(w, id) === state);

  const rowOf = (id: string) =>
    prisma.servicePoint.findUniqueOrThrow({
      where: { id },
      select: { whatsappStatus: true, whatsappAutoStart: true, phoneNumber: true, lastQrAt: true },
    });

  const rowReaches = async (id: string, expected: Partial<Awaited<ReturnType<typeof rowOf>>>) => {
    let row: Awaited<ReturnType<typeof rowOf>> | undefined;
    try {
      return await waitFor(`the row of ${id}`, async () => {
        row = await rowOf(id);
        return Object.entries(expected).every(([k, v]) => row![k as keyof typeof row] === v) && row;
      });
    } catch {
      throw new Error(
        `the row of ${id} is ${JSON.stringify(row)}, not ${JSON.stringify(expected)}`,
      );
    }
  };

  const rawSnapshot = async (id: string): Promise<StoredStatus | null> => {
    const raw = await redis.get(`${prefix}:wa:status:${id}`);
    return raw ? (JSON.parse(raw) as StoredStatus) : null;
  };

  const newestSocket = (fakes: FakeSocketFactory, id: string, index: number) =>
    waitFor(`socket #${index + 1} of ${id}`, () => fakes.byPoint(id)[index]);

  beforeAll(async () => {
    databaseUrl = await createDatabase(dbName);
    api = await bootApi({ DATABASE_URL: databaseUrl, REDIS_PREFIX: basePrefix });
    token = await adminLogin(api);
    prisma = api.app.get(PrismaService);
    redis = new IORedis(process.env.REDIS_URL as string);
  });

  beforeEach(() => {
    // Fresh lease and snapshot keys per test (all under this run's prefix, removed at teardown).
    prefix = `${basePrefix}-${++testNo}`;
  });

  afterEach(async () => {
    for (const worker of [...open]) await worker.close().catch(() => undefined);
    // Nothing of this test may be adopted by the workers of the next one.
    await prisma.servicePoint.updateMany({ data: { whatsappAutoStart: false } });
  });

  afterAll(async () => {
    for (const worker of [...open]) await worker.close().catch(() => undefined);
    await api?.close();
    await redis?.quit();
    await dropDatabase(dbName);
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('two points at once: breaking one (401, then a 408 storm) leaves the other CONNECTED and sending', async () => {
    const w = await bootWorker({ WA_MAX_RECONNECT_ATTEMPTS: '3' });
    const [one, two] = [await newPoint(), await newPoint()];
    await Promise.all([
      w.manager.handle({ op: 'connect', servicePointId: one }),
      w.manager.handle({ op: 'connect', servicePointId: two }),
    ]);
    const first = await newestSocket(w.fakes, one, 0);
    const healthy = await newestSocket(w.fakes, two, 0);
    expect(first.options.auth).not.toBe(healthy.options.auth); // one auth state per point
    first.open('59170000001:1@s.whatsapp.net');
    healthy.open('59170000002:1@s.whatsapp.net');
    await reachState(w, one, WhatsappState.CONNECTED);
    await reachState(w, two, WhatsappState.CONNECTED);

    let sends = 0;
    const twoStillFine = async () => {
      expect(stateOf(w, two)).toBe(WhatsappState.CONNECTED);
      expect(w.manager.get(two)?.status().canSendMessages).toBe(true);
      expect(healthy.ended).toBe(false);
      expect(healthy.endCalls).toEqual([]);
      expect(w.fakes.byPoint(two)).toEqual([healthy]);
      const text = `hola ${++sends}`;
      const { providerMessageId } = await w.manager.send(two, '+59170000001', text);
      expect(healthy.sent).toContainEqual({
        jid: '59170000001@s.whatsapp.net',
        text,
        id: providerMessageId,
      });
    };
    await twoStillFine();

    // Point one: the phone unlinked the device.
    first.close(401);
    await reachState(w, one, WhatsappState.LOGGED_OUT);
    await twoStillFine();
    await rowReaches(one, { whatsappStatus: WhatsappState.LOGGED_OUT, whatsappAutoStart: false });

    // Connect again (re-paired), then the network goes bad for point one only.
    await w.manager.handle({ op: 'connect', servicePointId: one });
    const again = await newestSocket(w.fakes, one, 1);
    again.open('59170000001:1@s.whatsapp.net');
    await reachState(w, one, WhatsappState.CONNECTED);

    again.close(408);
    for (let retry = 1; retry <= 3; retry++) {
      expect(w.manager.get(one)?.status()).toMatchObject({
        state: WhatsappState.DISCONNECTED,
        attempt: retry,
      });
      // Sends of point two during point one's backoff.
      await Promise.all([twoStillFine(), twoStillFine()]);
      const next = await newestSocket(w.fakes, one, 1 + retry);
      next.close(408);
    }
    await reachState(w, one, WhatsappState.FAILED);
    expect(w.manager.get(one)?.status().lastError).toBe('gave_up');
    expect(w.fakes.byPoint(one)).toHaveLength(5);
    await twoStillFine();

    await rowReaches(one, { whatsappStatus: WhatsappState.FAILED, whatsappAutoStart: false });
    await rowReaches(two, { whatsappStatus: WhatsappState.CONNECTED, whatsappAutoStart: true });
    expect((await rawSnapshot(two))?.state).toBe(WhatsappState.CONNECTED);
    expect(healthy.sent).toHaveLength(sends);
  });

  describe.each([
    ['file', {}],
    ['postgres', { AUTH_STORE: 'postgres', AUTH_ENCRYPTION_KEY: randomBytes(32).toString('hex') }],
  ])('restart with the %s credential store', (kind, storeEnv: Record<string, string>) => {
    it('credentials paired under one worker are loaded by the next one: CONNECTED, no new QR', async () => {
      const authDir = tempDir();
      const env = { ...storeEnv, BAILEYS_AUTH_DIR: authDir };
      const before = await bootWorker(env, createFakeSocketFactory(opensWhenPaired));
      expect(before.store.kind).toBe(kind);
      const point = await newPoint();

      await before.manager.handle({ op: 'connect', servicePointId: point });
      await reachState(before, point, WhatsappState.QR_REQUIRED);
      const pairing = before.fakes.byPoint(point)[0];
      expect(pairing.qrs).toHaveLength(1);
      expect(pairing.creds.me).toBeUndefined();

      // The phone scans the QR: Baileys writes the identity into the creds and saves them, and
      // WhatsApp asks for a restart at once (before the save has landed: the new socket must
      // still come back on the paired creds, not on fresh ones that would show a new QR).
      pairing.pair(PAIRED_JID);
      pairing.close(515);
      await reachState(before, point, WhatsappState.CONNECTED);
      expect(await before.store.hasCredentials(point)).toBe(true);
      const restarted = before.fakes.byPoint(point);
      expect(restarted).toHaveLength(2);
      expect(restarted[1].qrs).toEqual([]);
      expect(restarted[1].creds.me?.id).toBe(PAIRED_JID);
      await rowReaches(point, {
        whatsappStatus: WhatsappState.CONNECTED,
        whatsappAutoStart: true,
        phoneNumber: '+59170000000',
      });
      if (kind === 'file') expect(existsSync(join(authDir, point, 'creds.json'))).toBe(true);
      else
        expect(
          await prisma.whatsappAuthEntry.count({ where: { servicePointId: point } }),
        ).toBeGreaterThan(0);

      // Shutdown (deploy, crash-free restart): sessions stop, leases go, auto-start stays.
      await before.close();
      expect(restarted[1].ended).toBe(true);
      expect((await rowOf(point)).whatsappAutoStart).toBe(true);
      expect(await redis.get(`${prefix}:wa:lease:${point}`)).toBeNull();

      const after = await bootWorker(env, createFakeSocketFactory(opensWhenPaired));
      await after.manager.adoptOrphans();
      await after.manager.whenStarted();
      await reachState(after, point, WhatsappState.CONNECTED);

      const resumed = after.fakes.byPoint(point);
      expect(resumed).toHaveLength(1);
      expect(after.fakes.sockets.flatMap((s) => s.qrs)).toEqual([]); // no new QR, ever
      expect(resumed[0].creds.me?.id).toBe(PAIRED_JID);
      expect(resumed[0].creds.registered).toBe(true);
      // The same device identity, not a fresh one that happens to carry the same `me`.
      expect(Buffer.from(resumed[0].creds.noiseKey.public)).toEqual(
        Buffer.from(pairing.creds.noiseKey.public),
      );
      expect(resumed[0].creds.registrationId).toBe(pairing.creds.registrationId);
      expect(after.manager.get(point)?.status()).toMatchObject({
        phoneNumber: '+59170000000',
        canSendMessages: true,
        lastQrAt: null,
      });
      const { providerMessageId } = await after.manager.send(point, '+59170000001', 'volvimos');
      expect(resumed[0].sent).toEqual([
        { jid: '59170000001@s.whatsapp.net', text: 'volvimos', id: providerMessageId },
      ]);
      expect(await redis.get(`${prefix}:wa:lease:${point}`)).toBe(after.manager.workerId);
    });
  });

  it('publishes the Redis snapshot and the row; disconnect removes the snapshot and auto-start', async () => {
    const w = await bootWorker({}, createFakeSocketFactory(opensWhenPaired));
    const point = await newPoint();
    await w.manager.handle({ op: 'connect', servicePointId: point });
    await reachState(w, point, WhatsappState.QR_REQUIRED);
    const sock = w.fakes.byPoint(point)[0];

    const showing = await waitFor('a QR snapshot', async () => {
      const s = await w.bus.readStatus(point);
      return s?.state === WhatsappState.QR_REQUIRED && s;
    });
    expect(showing).toMatchObject({
      needsQr: true,
      canSendMessages: false,
      workerId: w.manager.workerId,
      qr: { qr: sock.qrs[0] },
    });
    const qrRow = await rowReaches(point, {
      whatsappStatus: WhatsappState.QR_REQUIRED,
      whatsappAutoStart: true,
    });
    expect(qrRow.lastQrAt).toBeInstanceOf(Date);

    sock.open(PAIRED_JID);
    await reachState(w, point, WhatsappState.CONNECTED);
    const live = await waitFor('a CONNECTED snapshot', async () => {
      const s = await w.bus.readStatus(point);
      return s?.state === WhatsappState.CONNECTED && s;
    });
    expect(live).toMatchObject({
      connected: true,
      canSendMessages: true,
      needsQr: false,
      phoneNumber: '+59170000000',
      qr: null,
      workerId: w.manager.workerId,
    });
    // It expires unless its owner renews it: a dead worker's status does not linger.
    const ttl = await redis.pttl(`${prefix}:wa:status:${point}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
    await rowReaches(point, {
      whatsappStatus: WhatsappState.CONNECTED,
      whatsappAutoStart: true,
      phoneNumber: '+59170000000',
    });
    expect(await w.bus.leaseHolder(point)).toBe(w.manager.workerId);

    await w.manager.handle({ op: 'disconnect', servicePointId: point });
    expect(await w.bus.readStatus(point)).toBeNull();
    expect(await w.bus.leaseHolder(point)).toBeNull();
    expect(w.manager.get(point)).toBeUndefined();
    expect(sock.ended).toBe(true);
    await rowReaches(point, { whatsappStatus: WhatsappState.STOPPED, whatsappAutoStart: false });
    // The snapshot does not come back from a late write either.
    await sleep(200);
    expect(await rawSnapshot(point)).toBeNull();
    expect(w.fakes.byPoint(point)).toHaveLength(1);
  });

  it('a second worker does not start a point the first one holds, and takes it over when it is free', async () => {
    const a = await bootWorker();
    const point = await newPoint();
    await a.manager.handle({ op: 'connect', servicePointId: point });
    const sock = await newestSocket(a.fakes, point, 0);
    sock.open(PAIRED_JID);
    await reachState(a, point, WhatsappState.CONNECTED);
    await rowReaches(point, { whatsappAutoStart: true });

    const b = await bootWorker();
    expect(b.manager.workerId).not.toBe(a.manager.workerId);
    // Booting adopted nothing: the point has auto-start, but a's lease is live.
    await b.manager.whenStarted();
    expect(await b.manager.adoptOrphans()).toBe(0);
    await b.manager.handle({ op: 'connect', servicePointId: point });
    expect(b.manager.get(point)).toBeUndefined();
    expect(b.fakes.sockets).toEqual([]);
    expect(await a.bus.leaseHolder(point)).toBe(a.manager.workerId);
    expect(stateOf(a, point)).toBe(WhatsappState.CONNECTED);
    expect(sock.ended).toBe(false);
    expect((await rawSnapshot(point))?.workerId).toBe(a.manager.workerId);

    // Worker a goes away: b takes the point over.
    await a.close();
    expect(await b.manager.adoptOrphans()).toBe(1);
    await b.manager.whenStarted();
    const taken = await newestSocket(b.fakes, point, 0);
    taken.open(PAIRED_JID);
    await reachState(b, point, WhatsappState.CONNECTED);
    expect(await b.bus.leaseHolder(point)).toBe(b.manager.workerId);
  });

  it('a worker that lost its lease lets go without overwriting the new owner’s status', async () => {
    const a = await bootWorker();
    const point = await newPoint();
    await a.manager.handle({ op: 'connect', servicePointId: point });
    const sock = await newestSocket(a.fakes, point, 0);
    sock.open(PAIRED_JID);
    await reachState(a, point, WhatsappState.CONNECTED);
    await rowReaches(point, { whatsappStatus: WhatsappState.CONNECTED });

    // Another worker took the point (say a's event loop stalled past the lease) and is CONNECTED.
    const other = 'other-host:1:abcdef';
    const theirs = { ...(await rawSnapshot(point))!, workerId: other };
    await redis.set(`${prefix}:wa:lease:${point}`, other, 'PX', 30_000);
    await redis.set(`${prefix}:wa:status:${point}`, JSON.stringify(theirs), 'PX', 30_000);

    // a's periodic maintenance notices.
    await a.manager['maintain']();
    expect(a.manager.get(point)).toBeUndefined();
    expect(sock.ended).toBe(true);
    await sleep(200);
    expect(await rawSnapshot(point)).toEqual(theirs);
    expect((await rowOf(point)).whatsappStatus).toBe(WhatsappState.CONNECTED);
    expect(await redis.get(`${prefix}:wa:lease:${point}`)).toBe(other);
    expect(a.fakes.byPoint(point)).toEqual([sock]);
  });
});
