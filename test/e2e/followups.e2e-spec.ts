import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrismaService, QUEUES, QueueFactory, RedisService } from '@bandeja/core';
import { FollowupsWorker, itemJobId, LeadStateService } from '@bandeja/followups';
import {
  adminLogin,
  auth,
  bootApi,
  bootWorker,
  createPoint,
  eventually,
  TestApi,
} from '../support/api';

interface Received {
  headers: IncomingMessage['headers'];
  raw: string;
  body: Record<string, any>;
}

/**
 * Follow-ups end to end with seconds-long settings: activity → ping → reminders, signed
 * webhooks to a local receiver, pause/resume, blocked statuses, retries.
 */
describe('follow-ups', () => {
  const prefix = `${process.env.REDIS_PREFIX}-fu`;
  const env = { REDIS_PREFIX: prefix, WA_START_STAGGER_MS: '0', WEBHOOK_BACKOFF_MS: '100' };
  const SECRET = 'fu-secret-123';
  let api: TestApi;
  let worker: Awaited<ReturnType<typeof bootWorker>>;
  let admin: string;
  let prisma: PrismaService;
  let server: Server;
  let received: Received[] = [];
  let failNext = 0;
  let pointId: string;
  let seq = 0;

  const phone = () => `+5917${String(Date.now() % 1_000_000).padStart(6, '0')}${seq++}`;
  const inbound = (from: string, text = 'hola') =>
    api
      .http()
      .post(`/api/v1/service-points/${pointId}/simulator/inbound`)
      .set(auth(admin))
      .send({ from, text, pushName: 'Ana' });
  const conversationOf = async (from: string) =>
    eventually(
      () =>
        prisma.conversation.findFirst({ where: { servicePointId: pointId, customerPhone: from } }),
      5000,
      'conversation',
    );
  const eventsFor = (conversationId: string, event?: string) =>
    received.filter(
      (r) => r.body.conversation?.id === conversationId && (!event || r.body.event === event),
    );
  const items = async (conversationId: string, status?: string) =>
    (
      await api
        .http()
        .get(
          `/api/v1/conversations/${conversationId}/reminders${status ? `?status=${status}` : ''}`,
        )
        .set(auth(admin))
    ).body.items as { id: string; kind: string; status: string; dependent: boolean }[];
  const putLead = (conversationId: string, body: object) =>
    api
      .http()
      .put(`/api/v1/conversations/${conversationId}/lead-state`)
      .set(auth(admin))
      .send(body);

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, raw, body: JSON.parse(raw) as Record<string, any> });
        if (failNext > 0) {
          failNext--;
          res.writeHead(500).end();
          return;
        }
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    api = await bootApi(env);
    admin = await adminLogin(api);
    prisma = api.app.get(PrismaService);
    pointId = (
      await createPoint(api, admin, {
        provider: 'SIMULATOR',
        timezone: 'UTC',
        workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' },
        followups: {
          enabled: true,
          inactivitySeconds: 2,
          reminderOffsetsSeconds: [3, 6, 9],
          summaryThreshold: 2,
          webhookUrl: `http://127.0.0.1:${port}/hook`,
          webhookSecret: SECRET,
        },
      })
    ).id;
    worker = await bootWorker(env);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });
  beforeEach(() => {
    received = [];
    failNext = 0;
  });

  it('ping arrives once, signed, with the right payload; then the reminders follow', async () => {
    const from = phone();
    await inbound(from, 'uno');
    await inbound(from, 'dos');
    const conv = await conversationOf(from);
    const [ping] = await eventually(
      async () =>
        eventsFor(conv.id, 'followup.ping').length ? eventsFor(conv.id, 'followup.ping') : null,
      8000,
      'ping webhook',
    );
    expect(ping.headers['x-bandeja-event']).toBe('followup.ping');
    expect(ping.headers['x-bandeja-delivery']).toBe(ping.body.deliveryId);
    const expected = `sha256=${createHmac('sha256', SECRET).update(ping.raw).digest('hex')}`;
    expect(ping.headers['x-bandeja-signature']).toBe(expected);
    expect(ping.body).toMatchObject({
      event: 'followup.ping',
      servicePointId: pointId,
      conversation: { id: conv.id, customerPhone: from, customerName: 'Ana' },
      lead: { operationalStatus: 'reminder_scheduled' },
      summary: true,
      windowMessageCount: 2,
      kind: 'ping',
    });
    const lead = await api
      .http()
      .get(`/api/v1/conversations/${conv.id}/lead-state`)
      .set(auth(admin));
    expect(lead.body).toMatchObject({
      operationalStatus: 'reminder_scheduled',
      windowMessageCount: 0,
    });
    expect(lead.body.lastPingAt).toBeTruthy();
    await eventually(
      async () => eventsFor(conv.id, 'followup.reminder').length >= 1,
      8000,
      'first reminder',
    );
    expect(eventsFor(conv.id, 'followup.ping')).toHaveLength(1);
    expect(eventsFor(conv.id, 'followup.reminder')[0].body.kind).toBe('reminder_1');
    await putLead(conv.id, { operationalStatus: 'stopped' });
  });

  it('activity keeps pushing one ping row back; it fires once, inactivitySeconds after the last message', async () => {
    const from = phone();
    await inbound(from, 'uno');
    const conv = await conversationOf(from);
    const [first] = await eventually(
      async () => {
        const now = await items(conv.id, 'scheduled');
        return now.length ? now : null;
      },
      4000,
      'ping row',
    );
    // Keep talking past the first ping's due time: the same row moves, nothing fires meanwhile.
    for (const text of ['dos', 'tres', 'cuatro']) {
      await new Promise((r) => setTimeout(r, 900));
      await inbound(from, text);
    }
    const lastAt = Date.now();
    await eventually(
      async () => {
        const lead = await prisma.leadState.findUnique({ where: { conversationId: conv.id } });
        return lead?.windowMessageCount === 4 || lead?.lastPingAt ? lead : null;
      },
      4000,
      'activity applied',
    );
    expect(eventsFor(conv.id, 'followup.ping')).toHaveLength(0);
    const [ping] = await eventually(
      async () =>
        eventsFor(conv.id, 'followup.ping').length ? eventsFor(conv.id, 'followup.ping') : null,
      8000,
      'ping webhook',
    );
    // Due 2 s after the last message (not after the first, 2.7 s earlier).
    expect(Date.now() - lastAt).toBeGreaterThanOrEqual(1500);
    expect(ping.body.windowMessageCount).toBe(4);
    const pings = (await items(conv.id)).filter((i) => i.kind === 'ping');
    expect(pings).toEqual([expect.objectContaining({ id: first.id, status: 'done' })]);
    await new Promise((r) => setTimeout(r, 500));
    expect(eventsFor(conv.id, 'followup.ping')).toHaveLength(1);
    await putLead(conv.id, { operationalStatus: 'stopped' });
  });

  it('activity cancels the ping, dependents and resume but not independent reminders', async () => {
    const from = phone();
    await inbound(from);
    const conv = await conversationOf(from);
    const custom = await api
      .http()
      .post(`/api/v1/conversations/${conv.id}/reminders`)
      .set(auth(admin))
      .send({ daysOffset: 2, note: 'llamar' });
    expect(custom.status).toBe(201);
    expect(custom.body).toMatchObject({ kind: 'custom', status: 'scheduled' });
    const until = new Date(Date.now() + 3600_000).toISOString();
    expect(
      (await putLead(conv.id, { operationalStatus: 'paused', pausedUntil: until })).status,
    ).toBe(200);
    const before = await items(conv.id, 'scheduled');
    expect(before.map((i) => i.kind).sort()).toEqual(['custom', 'resume']);
    await inbound(from, 'otra vez');
    await eventually(
      async () => {
        const now = await items(conv.id, 'scheduled');
        return now.some((i) => i.kind === 'ping') && !now.some((i) => i.kind === 'resume');
      },
      5000,
      'ping rescheduled, resume cancelled',
    );
    const after = await items(conv.id, 'scheduled');
    expect(after.find((i) => i.kind === 'custom')?.id).toBe(custom.body.id);
    const cancel = await api
      .http()
      .post(`/api/v1/reminders/${custom.body.id}/cancel`)
      .set(auth(admin));
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    await putLead(conv.id, { operationalStatus: 'stopped' });
  });

  it('pause → resumed event and contactable', async () => {
    const from = phone();
    await inbound(from);
    const conv = await conversationOf(from);
    const until = new Date(Date.now() + 1500).toISOString();
    expect(
      (await putLead(conv.id, { operationalStatus: 'paused', pausedUntil: until })).status,
    ).toBe(200);
    await eventually(
      async () => eventsFor(conv.id, 'followup.resumed').length === 1,
      8000,
      'resumed',
    );
    const lead = await api
      .http()
      .get(`/api/v1/conversations/${conv.id}/lead-state`)
      .set(auth(admin));
    expect(lead.body.operationalStatus).toBe('contactable');
    await putLead(conv.id, { operationalStatus: 'stopped' });
  });

  it('won: activity never reopens it and nothing is scheduled; forceReopen leaves it', async () => {
    const from = phone();
    await inbound(from);
    const conv = await conversationOf(from);
    expect((await putLead(conv.id, { operationalStatus: 'won' })).status).toBe(200);
    expect(await items(conv.id, 'scheduled')).toEqual([]);
    await inbound(from, 'gracias');
    await new Promise((r) => setTimeout(r, 500));
    const lead = await api
      .http()
      .get(`/api/v1/conversations/${conv.id}/lead-state`)
      .set(auth(admin));
    expect(lead.body.operationalStatus).toBe('won');
    expect(await items(conv.id, 'scheduled')).toEqual([]);
    const blocked = await putLead(conv.id, { operationalStatus: 'contactable' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error).toBe('blocked_status');
    const reopened = await putLead(conv.id, {
      operationalStatus: 'contactable',
      forceReopen: true,
    });
    expect(reopened.status).toBe(200);
    expect(reopened.body.operationalStatus).toBe('contactable');
    await putLead(conv.id, { operationalStatus: 'stopped' });
  });

  it('a receiver failing with 500 three times then 200 → delivered, one delivery id', async () => {
    const from = phone();
    failNext = 3;
    await inbound(from);
    const conv = await conversationOf(from);
    await putLead(conv.id, {
      operationalStatus: 'paused',
      pausedUntil: new Date(Date.now() + 1000).toISOString(),
    });
    const deliveryId = await eventually(
      async () => {
        const got = eventsFor(conv.id, 'followup.resumed');
        return got.length === 4 ? (got[0].body.deliveryId as string) : null;
      },
      15000,
      'four attempts',
    );
    expect(
      new Set(eventsFor(conv.id, 'followup.resumed').map((r) => r.headers['x-bandeja-delivery'])),
    ).toEqual(new Set([deliveryId]));
    const row = await eventually(
      async () => {
        const r = await prisma.webhookDelivery.findUnique({ where: { id: deliveryId } });
        return r?.status === 'delivered' ? r : null;
      },
      5000,
      'delivered',
    );
    expect(row.attempts).toBe(4);
    const list = await api
      .http()
      .get('/api/v1/webhook-deliveries?status=delivered')
      .set(auth(admin));
    expect(list.status).toBe(200);
    expect(list.body.items.some((d: { id: string }) => d.id === deliveryId)).toBe(true);
    await putLead(conv.id, { operationalStatus: 'stopped' });
  });

  it('bad input → contract 4xx', async () => {
    const from = phone();
    await inbound(from);
    const conv = await conversationOf(from);
    expect((await putLead(conv.id, { operationalStatus: 'paused' })).body.error).toBe(
      'paused_requires_until',
    );
    const past = await putLead(conv.id, {
      operationalStatus: 'paused',
      pausedUntil: '2020-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    expect((await putLead(conv.id, { operationalStatus: 'nope' })).status).toBe(400);
    const both = await api
      .http()
      .post(`/api/v1/conversations/${conv.id}/reminders`)
      .set(auth(admin))
      .send({ scheduledAt: new Date(Date.now() + 60_000).toISOString(), daysOffset: 1 });
    expect(both.status).toBe(400);
    const neither = await api
      .http()
      .post(`/api/v1/conversations/${conv.id}/reminders`)
      .set(auth(admin))
      .send({});
    expect(neither.status).toBe(400);
    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'cursor=not-a-cursor', 'status=x']) {
      for (const path of [
        `/api/v1/conversations/${conv.id}/reminders`,
        '/api/v1/webhook-deliveries',
      ]) {
        const res = await api.http().get(`${path}?${query}`).set(auth(admin));
        expect([path, query, res.status]).toEqual([path, query, 400]);
      }
    }
    await putLead(conv.id, { operationalStatus: 'stopped' });
  });

  it('Redis loses the jobs: the sweep re-creates them from the rows and the reminder still fires once', async () => {
    const from = phone();
    await inbound(from);
    const conv = await conversationOf(from);
    const soon = await api
      .http()
      .post(`/api/v1/conversations/${conv.id}/reminders`)
      .set(auth(admin))
      .send({ scheduledAt: new Date(Date.now() + 2500).toISOString(), note: 'perdido' });
    expect(soon.status).toBe(201);
    // Every follow-ups key gone, as after a Redis flush or failover without persistence.
    const redis = api.app.get(RedisService).client;
    const keys = await redis.keys(`${prefix}:bull:followups:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    const queue = api.app.get(QueueFactory).get(QUEUES.followups);
    expect(await queue.getJob(itemJobId(soon.body.id as string))).toBeUndefined();

    await worker.ctx.get(FollowupsWorker).sweep();
    expect(await queue.getJob(itemJobId(soon.body.id as string))).toBeDefined();
    const [reminder] = await eventually(
      async () => {
        const got = eventsFor(conv.id, 'followup.reminder');
        return got.length ? got : null;
      },
      10000,
      'reminder after repair',
    );
    expect(reminder.body).toMatchObject({ kind: 'custom' });
    await new Promise((r) => setTimeout(r, 500));
    expect(eventsFor(conv.id, 'followup.reminder')).toHaveLength(1);
    expect((await items(conv.id)).find((i) => i.id === soon.body.id)?.status).toBe('done');
    await putLead(conv.id, { operationalStatus: 'stopped' });
  });

  it('an item that comes due for a blocked lead sends nothing and is listed as cancelled', async () => {
    const from = phone();
    await inbound(from);
    const conv = await conversationOf(from);
    expect((await putLead(conv.id, { operationalStatus: 'won' })).status).toBe(200);
    // A row that slipped past the cancel (e.g. written by a request racing the status change).
    const row = await prisma.scheduledItem.create({
      data: {
        conversationId: conv.id,
        servicePointId: pointId,
        kind: 'reminder_1',
        scheduledAt: new Date(Date.now() - 1000),
        dependent: true,
      },
    });
    expect(await worker.ctx.get(LeadStateService).fire(row.id)).toEqual({});
    expect((await prisma.scheduledItem.findUniqueOrThrow({ where: { id: row.id } })).status).toBe(
      'cancelled',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(eventsFor(conv.id)).toHaveLength(0);
  });

  it('reminders and deliveries are listed in keyset pages', async () => {
    const from = phone();
    await inbound(from);
    const conv = await conversationOf(from);
    for (let d = 1; d <= 5; d++) {
      const res = await api
        .http()
        .post(`/api/v1/conversations/${conv.id}/reminders`)
        .set(auth(admin))
        .send({ daysOffset: d, note: `r${d}` });
      expect(res.status).toBe(201);
    }
    const walk = async (first: string) => {
      const seen: string[] = [];
      let url: string | null = first;
      let pages = 0;
      while (url) {
        const res: {
          status: number;
          body: { items: { id: string }[]; nextCursor: string | null };
        } = await api.http().get(url).set(auth(admin));
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((i: { id: string }) => i.id));
        url = res.body.nextCursor
          ? `${first}&cursor=${encodeURIComponent(res.body.nextCursor as string)}`
          : null;
        pages++;
      }
      return { seen, pages };
    };
    const reminders = await walk(
      `/api/v1/conversations/${conv.id}/reminders?status=scheduled&limit=2`,
    );
    const all = await items(conv.id, 'scheduled');
    expect(reminders.seen).toEqual(all.map((i) => i.id));
    expect(new Set(reminders.seen).size).toBe(reminders.seen.length);
    expect(reminders.seen.length).toBeGreaterThanOrEqual(5);
    expect(reminders.pages).toBeGreaterThanOrEqual(3);
    const deliveries = await walk('/api/v1/webhook-deliveries?limit=2');
    const total = await prisma.webhookDelivery.count();
    expect(deliveries.seen).toHaveLength(total);
    expect(new Set(deliveries.seen).size).toBe(total);
    await putLead(conv.id, { operationalStatus: 'stopped' });
  });
});
