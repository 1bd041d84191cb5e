import { PrismaService, RedisService } from '@bandeja/core';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { adminLogin, auth, bootApi, createPoint, eventually, TestApi } from '../support/api';

/**
 * A worker killed with SIGKILL in the middle of a burst (some messages stored, some processed,
 * some replies claimed but not sent), then a new worker: every customer message ends with exactly
 * one bot reply. Runs the built worker (npm run build first, as the test command does).
 */
const WORKER = join(__dirname, '../../dist/apps/worker/apps/worker/src/main.js');

describe('worker crash', () => {
  const prefix = `${process.env.REDIS_PREFIX}-crash`;
  let api: TestApi;
  let prisma: PrismaService;
  const children: ChildProcess[] = [];
  const startWorker = () => {
    const child = spawn(process.execPath, [WORKER], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        REDIS_PREFIX: prefix,
        // The minimal responder answers every message: one reply per message is the invariant here.
        BOT_RESPONDER: 'minimal',
        WA_START_STAGGER_MS: '0',
        LOG_LEVEL: process.env.CRASH_LOG ?? 'silent',
      },
      stdio: process.env.CRASH_LOG ? 'inherit' : 'ignore',
    });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    api = await bootApi({ REDIS_PREFIX: prefix });
    prisma = api.app.get(PrismaService);
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await api.close();
  });

  it('SIGKILL mid-burst, restart: every message answered exactly once', async () => {
    const admin = await adminLogin(api);
    const point = await createPoint(api, admin, { provider: 'SIMULATOR' });
    const first = startWorker();
    const status = async () =>
      (await api.http().get(`/api/v1/service-points/${point.id}/whatsapp`).set(auth(admin))).body
        .state;
    await eventually(async () => (await status()) === 'CONNECTED', 15000, 'simulator connected');

    const customers = Array.from({ length: 20 }, (_, i) => `+5917333${String(i).padStart(4, '0')}`);
    // supertest sends on then(): start every request now, await them later.
    const sends = customers.flatMap((from) =>
      [0, 1, 2, 3, 4].map((n) =>
        api
          .http()
          .post(`/api/v1/service-points/${point.id}/simulator/inbound`)
          .set(auth(admin))
          .send({ from, text: `m${n}` })
          .then((r) => r),
      ),
    );
    // Kill the worker while the burst is being processed.
    await eventually(
      async () =>
        (await prisma.message.count({ where: { servicePointId: point.id, senderType: 'BOT' } })) >=
        5,
      15000,
      'some replies',
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const accepted = (await Promise.all(sends)).filter((r) => r.status === 202).length;
    expect(accepted).toBeGreaterThan(0);

    // What the dead worker held expires with time (lease 30 s, conversation locks 30 s, send claims
    // 60 s); the test stands in for that wait instead of sleeping.
    const redis = api.app.get(RedisService).client;
    const held = [
      ...(await redis.keys(`${prefix}:wa:lease:*`)),
      ...(await redis.keys(`${prefix}:conv-lock:*`)),
    ];
    if (held.length) await redis.del(...held);
    await prisma.message.updateMany({
      where: { servicePointId: point.id, claimedAt: { not: null } },
      data: { claimedAt: new Date(Date.now() - 120_000) },
    });
    await prisma.message.updateMany({
      where: { servicePointId: point.id },
      data: { createdAt: new Date(Date.now() - 10_000) },
    });

    startWorker();
    const inbound = await prisma.message.count({
      where: { servicePointId: point.id, direction: 'IN' },
    });
    expect(inbound).toBe(accepted);
    await eventually(
      async () =>
        (await prisma.message.count({
          where: { servicePointId: point.id, senderType: 'BOT', status: 'SENT' },
        })) === inbound,
      40000,
      'every message answered',
    ).catch(async (err) => {
      const rows = await prisma.message.groupBy({
        by: ['direction', 'status'],
        where: { servicePointId: point.id },
        _count: true,
      });
      const unprocessed = await prisma.message.count({
        where: { servicePointId: point.id, direction: 'IN', processedAt: null },
      });
      throw new Error(
        `${(err as Error).message}; rows ${JSON.stringify(rows)}; unprocessed ${unprocessed}`,
      );
    });
    await new Promise((r) => setTimeout(r, 1000));
    for (const from of customers) {
      const rows = await prisma.message.findMany({
        where: { servicePointId: point.id, conversation: { customerPhone: from } },
      });
      const ins = rows.filter((m) => m.direction === 'IN').length;
      const bots = rows.filter((m) => m.senderType === 'BOT');
      expect({ from, replies: bots.length }).toEqual({ from, replies: ins });
      expect(bots.every((m) => m.status === 'SENT')).toBe(true);
      expect(rows.filter((m) => m.direction === 'IN').every((m) => m.processedAt)).toBe(true);
    }
  }, 90000);
});
