import { createHmac } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Backoffs } from 'bullmq';
import { AppConfig, AppError, PrismaService, QueueFactory } from '@bandeja/core';
import type { WebhookDelivery } from '@bandeja/core';
import { REQUEST_TIMEOUT_MS, signBody, WebhookDeliveries } from './webhook-deliveries.service';

const POINT = '11111111-1111-4111-8111-111111111111';
const SECRET = 'whsec-unit-1';

interface Request {
  headers: IncomingHttpHeaders;
  raw: string;
}

/** A local receiver that answers each request with the next status of `script` (then 200). */
async function receiver() {
  const requests: Request[] = [];
  const script: number[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      requests.push({ headers: req.headers, raw });
      const status = script.shift() ?? 200;
      if (status >= 300 && status < 400) res.setHeader('location', 'http://127.0.0.1:1/elsewhere');
      res.writeHead(status).end('body');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url, requests, script, close };
}

type Data = Record<string, unknown>;

/** In-memory stand-ins for the delivery rows, the point and the webhooks queue. */
function fakes(point: { webhookUrl: string | null; secret: string | null } | null) {
  const rows = new Map<string, WebhookDelivery>();
  const jobs: { name: string; data: unknown; opts: Record<string, any> }[] = [];
  const apply = (row: WebhookDelivery, data: Data): WebhookDelivery => {
    const next = { ...row } as Record<string, unknown>;
    for (const [key, value] of Object.entries(data)) {
      next[key] =
        value && typeof value === 'object' && 'increment' in value
          ? (next[key] as number) + (value as { increment: number }).increment
          : value;
    }
    return next as unknown as WebhookDelivery;
  };
  const prisma = {
    webhookDelivery: {
      create: async ({ data }: { data: Data }) => {
        const row = {
          status: 'pending',
          attempts: 0,
          lastError: null,
          nextAttemptAt: new Date(),
          createdAt: new Date(),
          deliveredAt: null,
          ...data,
        } as unknown as WebhookDelivery;
        rows.set(row.id, row);
        return row;
      },
      findUnique: async ({ where }: { where: { id: string } }) => rows.get(where.id) ?? null,
      update: async ({ where, data }: { where: { id: string }; data: Data }) => {
        const row = rows.get(where.id);
        if (!row) throw new Error('record not found');
        const next = apply(row, data);
        rows.set(where.id, next);
        return next;
      },
    },
    servicePoint: {
      findUnique: async ({ where }: { where: { id: string } }) =>
        point && where.id === POINT
          ? {
              id: POINT,
              followups: { enabled: true, webhookUrl: point.webhookUrl },
              followupsWebhookSecret: point.secret,
            }
          : null,
    },
  };
  const queues = {
    get: () => ({
      add: async (name: string, data: unknown, opts: Record<string, any>) => {
        jobs.push({ name, data, opts });
      },
    }),
  };
  const config = { WEBHOOK_MAX_ATTEMPTS: 8, WEBHOOK_BACKOFF_MS: 2000 } as AppConfig;
  const service = new WebhookDeliveries(
    prisma as unknown as PrismaService,
    queues as unknown as QueueFactory,
    config,
  );
  return { service, rows, jobs, config };
}

describe('signBody', () => {
  it('is sha256=<hex HMAC-SHA256> of the raw body (RFC 4231 test case 2)', () => {
    expect(signBody('what do ya want for nothing?', 'Jefe')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('changes with a single byte of the body or of the secret', () => {
    const body = '{"event":"followup.ping","n":1}';
    expect(signBody(body, SECRET)).not.toBe(signBody(body.replace('1', '2'), SECRET));
    expect(signBody(body, SECRET)).not.toBe(signBody(body, `${SECRET}x`));
  });
});

describe('WebhookDeliveries', () => {
  let hook: Awaited<ReturnType<typeof receiver>>;
  beforeEach(async () => {
    hook = await receiver();
  });
  afterEach(async () => {
    await hook.close();
  });

  const emitOne = async (f: ReturnType<typeof fakes>) =>
    f.service.emit(POINT, 'followup.ping', { summary: true, windowMessageCount: 4 });

  describe('emit', () => {
    it('stores the event with its delivery id and time in the body, and enqueues wh_<id>', async () => {
      const f = fakes({ webhookUrl: hook.url, secret: SECRET });
      const before = Date.now();
      const row = await emitOne(f);
      const payload = row.payload as Record<string, unknown>;
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.servicePointId).toBe(POINT);
      expect(row.event).toBe('followup.ping');
      expect(payload).toMatchObject({
        event: 'followup.ping',
        deliveryId: row.id,
        summary: true,
        windowMessageCount: 4,
      });
      expect(Date.parse(payload.occurredAt as string)).toBeGreaterThanOrEqual(before - 1);
      expect(f.jobs).toEqual([
        {
          name: 'deliver',
          data: { deliveryId: row.id },
          opts: expect.objectContaining({
            jobId: `wh_${row.id}`,
            attempts: 8,
            backoff: { type: 'exponential', delay: 2000 },
          }),
        },
      ]);
    });

    it('waits 2 s, 4 s, 8 s … between attempts (BullMQ exponential from WEBHOOK_BACKOFF_MS)', async () => {
      const f = fakes({ webhookUrl: hook.url, secret: SECRET });
      await emitOne(f);
      const { backoff, attempts } = f.jobs[0].opts as {
        backoff: { type: string; delay: number };
        attempts: number;
      };
      // The delay before attempt n + 1, after n failed attempts; 8 attempts → 7 waits.
      const waits = Array.from({ length: attempts - 1 }, (_, i) =>
        Number(Backoffs.calculate(backoff, i + 1, new Error('x'), {} as never)),
      );
      expect(waits).toEqual([2000, 4000, 8000, 16000, 32000, 64000, 128000]);
      // About 4 minutes between the first attempt and the last one.
      expect(waits.reduce((sum, w) => sum + w, 0)).toBe(254_000);
    });
  });

  describe('attempt', () => {
    it('POSTs the stored body, signed with the point secret, and marks it delivered on 2xx', async () => {
      const f = fakes({ webhookUrl: hook.url, secret: SECRET });
      const row = await emitOne(f);
      await expect(f.service.attempt(row.id, false)).resolves.toBe('delivered');
      expect(hook.requests).toHaveLength(1);
      const [req] = hook.requests;
      expect(JSON.parse(req.raw)).toEqual(row.payload);
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.headers['x-bandeja-event']).toBe('followup.ping');
      expect(req.headers['x-bandeja-delivery']).toBe(row.id);
      // What a receiver verifies: the HMAC of the exact bytes it got.
      const expected = `sha256=${createHmac('sha256', SECRET).update(req.raw).digest('hex')}`;
      expect(req.headers['x-bandeja-signature']).toBe(expected);
      const stored = f.rows.get(row.id)!;
      expect(stored.status).toBe('delivered');
      expect(stored.attempts).toBe(1);
      expect(stored.lastError).toBeNull();
      expect(stored.deliveredAt).toBeInstanceOf(Date);
    });

    it('sends no signature header when the point has no secret', async () => {
      const f = fakes({ webhookUrl: hook.url, secret: null });
      const row = await emitOne(f);
      await expect(f.service.attempt(row.id, false)).resolves.toBe('delivered');
      expect(hook.requests[0].headers['x-bandeja-signature']).toBeUndefined();
    });

    it.each([500, 502, 503, 429])(
      'HTTP %i is retried: still pending, attempt counted',
      async (status) => {
        const f = fakes({ webhookUrl: hook.url, secret: SECRET });
        const row = await emitOne(f);
        hook.script.push(status);
        await expect(f.service.attempt(row.id, false)).resolves.toBe('retry');
        const stored = f.rows.get(row.id)!;
        expect(stored.status).toBe('pending');
        expect(stored.attempts).toBe(1);
        expect(stored.lastError).toBe(`HTTP ${status}`);
        expect(stored.deliveredAt).toBeNull();
      },
    );

    it('a network error (nothing listening) is retried with its message', async () => {
      const f = fakes({ webhookUrl: hook.url, secret: SECRET });
      const row = await emitOne(f);
      await hook.close();
      await expect(f.service.attempt(row.id, false)).resolves.toBe('retry');
      const stored = f.rows.get(row.id)!;
      expect(stored.status).toBe('pending');
      expect(stored.attempts).toBe(1);
      expect(stored.lastError).toBe('fetch failed');
      hook = await receiver(); // for afterEach
    });

    it('a receiver that does not answer within REQUEST_TIMEOUT_MS is retried as a timeout', async () => {
      const hung = createServer(() => undefined); // never answers
      await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/hook`;
      try {
        const f = fakes({ webhookUrl: url, secret: SECRET });
        const row = await emitOne(f);
        const started = Date.now();
        await expect(f.service.attempt(row.id, false)).resolves.toBe('retry');
        expect(Date.now() - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
        expect(f.rows.get(row.id)).toMatchObject({ status: 'pending', lastError: 'timeout' });
      } finally {
        hung.closeAllConnections();
        await new Promise((resolve) => hung.close(resolve));
      }
    });

    it.each([400, 401, 404, 410, 422])(
      'HTTP %i is not retried: failed at once, on the first attempt',
      async (status) => {
        const f = fakes({ webhookUrl: hook.url, secret: SECRET });
        const row = await emitOne(f);
        hook.script.push(status);
        await expect(f.service.attempt(row.id, false)).resolves.toBe('failed');
        const stored = f.rows.get(row.id)!;
        expect(stored.status).toBe('failed');
        expect(stored.attempts).toBe(1);
        expect(stored.lastError).toBe(`HTTP ${status}`);
      },
    );

    it('a redirect is not followed and fails (not retried)', async () => {
      const f = fakes({ webhookUrl: hook.url, secret: SECRET });
      const row = await emitOne(f);
      hook.script.push(302);
      await expect(f.service.attempt(row.id, false)).resolves.toBe('failed');
      expect(hook.requests).toHaveLength(1);
      expect(f.rows.get(row.id)!.lastError).toBe('HTTP 302');
    });

    it('keeps the delivery id, body and signature identical across retries', async () => {
      const f = fakes({ webhookUrl: hook.url, secret: SECRET });
      const row = await emitOne(f);
      hook.script.push(503, 429);
      expect(await f.service.attempt(row.id, false)).toBe('retry');
      expect(await f.service.attempt(row.id, false)).toBe('retry');
      expect(await f.service.attempt(row.id, false)).toBe('delivered');
      expect(hook.requests).toHaveLength(3);
      const deliveries = hook.requests.map((r) => r.headers['x-bandeja-delivery']);
      expect(new Set(deliveries)).toEqual(new Set([row.id]));
      expect(new Set(hook.requests.map((r) => r.raw)).size).toBe(1);
      expect(new Set(hook.requests.map((r) => r.headers['x-bandeja-signature'])).size).toBe(1);
      expect(JSON.parse(hook.requests[2].raw).deliveryId).toBe(row.id);
      expect(f.rows.get(row.id)).toMatchObject({
        status: 'delivered',
        attempts: 3,
        lastError: null,
      });
    });

    it('ends failed after the maximum attempts, as the worker drives them', async () => {
      const f = fakes({ webhookUrl: hook.url, secret: SECRET });
      const row = await emitOne(f);
      hook.script.push(...Array<number>(20).fill(500));
      const { attempts } = f.jobs[0].opts as { attempts: number };
      // FollowupsWorker.deliver: last = attemptsMade + 1 >= attempts; `retry` throws → BullMQ retries.
      const outcomes: string[] = [];
      for (let attemptsMade = 0; attemptsMade < attempts; attemptsMade++) {
        const outcome = await f.service.attempt(row.id, attemptsMade + 1 >= attempts);
        outcomes.push(outcome);
        if (outcome !== 'retry') break;
      }
      expect(outcomes).toEqual([...Array<string>(attempts - 1).fill('retry'), 'failed']);
      expect(hook.requests).toHaveLength(attempts);
      expect(f.rows.get(row.id)).toMatchObject({
        status: 'failed',
        attempts,
        lastError: 'HTTP 500',
        deliveredAt: null,
      });
      // A late duplicate job finds the row settled and sends nothing.
      await expect(f.service.attempt(row.id, true)).resolves.toBe('skip');
      expect(hook.requests).toHaveLength(attempts);
    });

    it('skips rows that are gone or no longer pending, without sending', async () => {
      const f = fakes({ webhookUrl: hook.url, secret: SECRET });
      await expect(f.service.attempt('00000000-0000-4000-8000-000000000000', false)).resolves.toBe(
        'skip',
      );
      const row = await emitOne(f);
      expect(await f.service.attempt(row.id, false)).toBe('delivered');
      await expect(f.service.attempt(row.id, false)).resolves.toBe('skip');
      expect(hook.requests).toHaveLength(1);
      expect(f.rows.get(row.id)!.attempts).toBe(1);
    });

    it('fails without sending when the point has no webhook URL (or is gone)', async () => {
      for (const point of [{ webhookUrl: null, secret: SECRET }, null]) {
        const f = fakes(point);
        const row = await emitOne(f);
        await expect(f.service.attempt(row.id, false)).resolves.toBe('failed');
        expect(f.rows.get(row.id)).toMatchObject({
          status: 'failed',
          attempts: 1,
          lastError: 'no webhook URL configured',
        });
      }
      expect(hook.requests).toHaveLength(0);
    });
  });

  describe('retry (manual)', () => {
    it('puts a failed delivery back to pending with a fresh job, same delivery id', async () => {
      const f = fakes({ webhookUrl: hook.url, secret: SECRET });
      const row = await emitOne(f);
      hook.script.push(404);
      expect(await f.service.attempt(row.id, false)).toBe('failed');
      const view = await f.service.retry(row.id);
      expect(view).toMatchObject({ id: row.id, status: 'pending', lastError: null });
      expect(f.jobs).toHaveLength(2);
      expect(f.jobs[1].data).toEqual({ deliveryId: row.id });
      // A new job id, or BullMQ would ignore the add while the old failed job is kept.
      expect(f.jobs[1].opts.jobId).toMatch(new RegExp(`^wh_${row.id}_\\d+$`));
      expect(await f.service.attempt(row.id, false)).toBe('delivered');
      expect(hook.requests.map((r) => r.headers['x-bandeja-delivery'])).toEqual([row.id, row.id]);
    });

    it('refuses a delivery that is still pending (409) or unknown (404)', async () => {
      const f = fakes({ webhookUrl: hook.url, secret: SECRET });
      const row = await emitOne(f);
      const pending = await f.service.retry(row.id).catch((e: unknown) => e);
      expect(pending).toBeInstanceOf(AppError);
      expect((pending as AppError).getStatus()).toBe(409);
      expect((pending as AppError).code).toBe('delivery_pending');
      const missing = await f.service
        .retry('00000000-0000-4000-8000-000000000000')
        .catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(AppError);
      expect((missing as AppError).getStatus()).toBe(404);
      expect(f.jobs).toHaveLength(1);
    });
  });
});
