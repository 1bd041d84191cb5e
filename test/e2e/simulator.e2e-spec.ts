import { PrismaService } from '@bandeja/core';
import {
  addMember,
  adminLogin,
  auth,
  bootApi,
  bootWorker,
  createPoint,
  createUser,
  connectSession,
  disconnectSession,
  eventually,
  TestApi,
  unique,
} from '../support/api';

/** The Simulator: a connected number without a phone; its inbound joins the real pipeline. */
describe('simulator provider', () => {
  const env = { REDIS_PREFIX: `${process.env.REDIS_PREFIX}-sim`, WA_START_STAGGER_MS: '0' };
  let api: TestApi;
  let worker: Awaited<ReturnType<typeof bootWorker>>;
  let admin: string;
  let prisma: PrismaService;
  let pointId: string;
  let agentB: { id: string; token: string };

  const inbound = (body: object, token = admin, id = pointId) =>
    api.http().post(`/api/v1/service-points/${id}/simulator/inbound`).set(auth(token)).send(body);

  beforeAll(async () => {
    api = await bootApi(env);
    worker = await bootWorker(env);
    admin = await adminLogin(api);
    prisma = api.app.get(PrismaService);
    // Bot off: this file checks the channel edge; bot replies are the pipeline tests' business.
    pointId = (await createPoint(api, admin, { provider: 'SIMULATOR', botEnabled: false })).id;
    const other = await createPoint(api, admin, { provider: 'SIMULATOR' });
    agentB = await createUser(api, admin);
    await addMember(api, admin, other.id, agentB.id, 'AGENT');
    await eventually(
      async () =>
        (await api.http().get(`/api/v1/service-points/${pointId}/whatsapp`).set(auth(admin))).body
          .state === 'CONNECTED',
      5000,
      'simulator connected',
    );
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  it('a new simulator point is connected by the worker at once', async () => {
    const res = await api.http().get(`/api/v1/service-points/${pointId}/whatsapp`).set(auth(admin));
    expect(res.body).toMatchObject({
      state: 'CONNECTED',
      connected: true,
      canSendMessages: true,
      needsQr: false,
    });
  });

  it('stores an inbound message once; a repeated providerMessageId is a duplicate', async () => {
    const id = unique('wamid');
    const first = await inbound({
      from: '+59170000001',
      text: 'Hola, ¿dónde está mi paquete?',
      providerMessageId: id,
      pushName: 'Carla',
    });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ providerMessageId: id, duplicate: false });
    const again = await inbound({
      from: '+59170000001',
      text: 'Hola, ¿dónde está mi paquete?',
      providerMessageId: id,
    });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ providerMessageId: id, duplicate: true });
    const rows = await prisma.message.findMany({
      where: { servicePointId: pointId, providerMessageId: id },
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      direction: 'IN',
      senderType: 'CUSTOMER',
      status: 'RECEIVED',
      content: 'Hola, ¿dónde está mi paquete?',
    });
    const conversation = await prisma.conversation.findUniqueOrThrow({
      where: { id: rows[0].conversationId },
    });
    expect(conversation).toMatchObject({
      customerPhone: '+59170000001',
      customerName: 'Carla',
      unreadCount: 1,
      status: 'BOT',
    });
  });

  it('50 concurrent redeliveries of one message give one row and one unread', async () => {
    const id = unique('storm');
    const phone = `+5917${Math.floor(1000000 + Math.random() * 8999999)}`;
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        inbound({ from: phone, text: 'una vez', providerMessageId: id }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(202));
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(
      await prisma.message.count({ where: { servicePointId: pointId, providerMessageId: id } }),
    ).toBe(1);
    const conversation = await prisma.conversation.findUniqueOrThrow({
      where: { servicePointId_customerPhone: { servicePointId: pointId, customerPhone: phone } },
    });
    expect(conversation.unreadCount).toBe(1);
  });

  it('generates a provider id when none is given', async () => {
    const res = await inbound({ from: '+59170000002', text: 'sin id' });
    expect(res.status).toBe(202);
    expect(res.body.providerMessageId).toMatch(/^sim-in-/);
    expect(res.body.duplicate).toBe(false);
  });

  it('rejects bad input with the contract codes and stores nothing', async () => {
    const before = await prisma.message.count({ where: { servicePointId: pointId } });
    const cases: [object, string][] = [
      [{ from: '70000001', text: 'x' }, 'from'],
      [{ from: '+59170000001', text: '' }, 'text'],
      [{ from: '+59170000001' }, 'text'],
      [{ from: '+59170000001', text: 'x', providerMessageId: 'has spaces' }, 'providerMessageId'],
      [{ from: '+59170000001', text: 'x', timestamp: 'yesterday' }, 'timestamp'],
      [{ from: '+59170000001', text: 'x', admin: true }, 'admin'],
      [{ from: '+59170000001', text: 'x'.repeat(4097) }, 'text'],
    ];
    for (const [body, field] of cases) {
      const res = await inbound(body);
      expect([field, res.status, res.body.error]).toEqual([field, 400, 'validation_failed']);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await prisma.message.count({ where: { servicePointId: pointId } })).toBe(before);
  });

  it('is 409 not_a_simulator for a BAILEYS point and 404 for a non-member', async () => {
    const baileys = await createPoint(api, admin, { provider: 'BAILEYS' });
    const res = await inbound({ from: '+59170000001', text: 'x' }, admin, baileys.id);
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('not_a_simulator');
    const foreign = await inbound({ from: '+59170000001', text: 'x' }, agentB.token);
    expect(foreign.status).toBe(404);
  });

  it('a disconnected simulator is 503 whatsapp_not_ready, and connects again', async () => {
    await disconnectSession(api, admin, pointId);
    const res = await inbound({ from: '+59170000001', text: 'x' });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'whatsapp_not_ready', details: { state: 'STOPPED' } });
    await connectSession(api, admin, pointId);
    expect((await inbound({ from: '+59170000001', text: 'de nuevo' })).status).toBe(202);
  });
});
