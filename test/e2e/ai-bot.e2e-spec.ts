import { PrismaService } from '@bandeja/core';
import {
  addMember,
  adminLogin,
  auth,
  bootApi,
  bootWorker,
  createPoint,
  createUser,
  eventually,
  sessionInState,
  TestApi,
} from '../support/api';

/**
 * The bot end to end through the Simulator (local engine, real Postgres/Redis): a tracking
 * question gets the stored status, an unknown number a "not found, please check", an FAQ its
 * stored answer, and a request for a person switches the conversation to HUMAN for good.
 */
describe('AI bot through the simulator', () => {
  const env = { REDIS_PREFIX: `${process.env.REDIS_PREFIX}-aibot`, WA_START_STAGGER_MS: '0' };
  let api: TestApi;
  let worker: Awaited<ReturnType<typeof bootWorker>>;
  let admin: string;
  let prisma: PrismaService;
  let pointId: string;
  let seq = 0;

  const phone = () => `+5917${String(Date.now() % 100_000).padStart(5, '0')}${seq++}`.slice(0, 14);
  const say = (from: string, text: string) =>
    api
      .http()
      .post(`/api/v1/service-points/${pointId}/simulator/inbound`)
      .set(auth(admin))
      .send({ from, text })
      .expect(202);
  const botReplies = (from: string) =>
    prisma.message.findMany({
      where: { servicePointId: pointId, conversation: { customerPhone: from }, senderType: 'BOT' },
      orderBy: [{ timestamp: 'asc' }, { createdAt: 'asc' }],
    });
  const nthReply = (from: string, n: number) =>
    eventually(async () => (await botReplies(from))[n - 1], 10000, `bot reply ${n} to ${from}`);

  beforeAll(async () => {
    api = await bootApi(env);
    worker = await bootWorker(env);
    admin = await adminLogin(api);
    prisma = api.app.get(PrismaService);
    pointId = (await createPoint(api, admin, { provider: 'SIMULATOR' })).id;
    await api
      .http()
      .post('/api/v1/shipments')
      .set(auth(admin))
      .send({
        servicePointId: pointId,
        trackingNumber: 'LP-2024-000187',
        status: 'OUT_FOR_DELIVERY',
        destination: 'Miraflores',
      })
      .expect(201);
    await api
      .http()
      .post('/api/v1/faqs')
      .set(auth(admin))
      .send({
        servicePointId: pointId,
        question: '¿Hacen entregas los domingos?',
        answer: 'Los domingos no repartimos; entregamos de lunes a sábado.',
        keywords: ['domingo', 'domingos', 'fin de semana'],
      })
      .expect(201);
    await sessionInState(worker, pointId);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  it('tracking question → the status stored in the database', async () => {
    const from = phone();
    await say(from, 'Hola, ¿dónde está mi paquete lp-2024 000187?');
    const reply = await nthReply(from, 1);
    expect(reply.content).toContain('en reparto');
    expect(reply.content).toContain('LP-2024-000187');
    await eventually(async () => (await botReplies(from))[0].status === 'SENT', 10000, 'sent');
  });

  it('unknown number → not found, please check', async () => {
    const from = phone();
    await say(from, 'mi guía es ZZ-999-888-777');
    const reply = await nthReply(from, 1);
    expect(reply.content).toMatch(/No encontré .*ZZ999888777.*revisa el número/);
  });

  it('FAQ → the stored answer', async () => {
    const from = phone();
    await say(from, 'entregan el domingo?');
    expect((await nthReply(from, 1)).content).toBe(
      'Los domingos no repartimos; entregamos de lunes a sábado.',
    );
  });

  it('"quiero hablar con una persona" → HUMAN, said once, no further bot replies; traces for managers', async () => {
    const from = phone();
    await say(from, 'quiero hablar con una persona');
    expect((await nthReply(from, 1)).content).toContain('persona de nuestro equipo');
    const conv = await prisma.conversation.findFirstOrThrow({
      where: { servicePointId: pointId, customerPhone: from },
    });
    expect(conv.status).toBe('HUMAN');
    await say(from, 'hola? sigue ahí? LP-2024-000187');
    await eventually(
      async () =>
        (await prisma.message.count({
          where: { conversationId: conv.id, direction: 'IN', processedAt: null },
        })) === 0 &&
        (await prisma.message.count({ where: { conversationId: conv.id, direction: 'IN' } })) === 2,
      10000,
      'second message processed',
    );
    expect(await botReplies(from)).toHaveLength(1);
    expect(
      await prisma.auditLog.count({
        where: { entityId: conv.id, action: 'conversation.status_changed' },
      }),
    ).toBe(1);

    // The trace, for the point's managers only.
    const manager = await createUser(api, admin);
    const agent = await createUser(api, admin);
    await addMember(api, admin, pointId, manager.id, 'MANAGER');
    await addMember(api, admin, pointId, agent.id, 'AGENT');
    const url = `/api/v1/conversations/${conv.id}/ai-traces`;
    const res = await api.http().get(url).set(auth(manager.token)).expect(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      conversationId: conv.id,
      servicePointId: pointId,
      provider: 'local',
      outcome: 'handoff',
      fallbackUsed: false,
      toolCalls: [
        {
          name: 'transferir_a_humano',
          arguments: { reason: 'customer_request' },
          result: { transferred: true },
        },
      ],
    });
    expect((await api.http().get(url).set(auth(agent.token))).status).toBe(403);
    await api.http().get(url).query({ limit: 0 }).set(auth(manager.token)).expect(400);
  });

  it('trace list pages by keyset', async () => {
    const from = phone();
    for (const text of ['hola', 'gracias', 'LP-2024-000187']) {
      await say(from, text);
      await eventually(
        async () =>
          (await prisma.message.count({
            where: {
              servicePointId: pointId,
              conversation: { customerPhone: from },
              direction: 'IN',
              processedAt: null,
            },
          })) === 0,
        10000,
        'processed',
      );
    }
    const conv = await prisma.conversation.findFirstOrThrow({
      where: { servicePointId: pointId, customerPhone: from },
    });
    const url = `/api/v1/conversations/${conv.id}/ai-traces`;
    const first = await api.http().get(url).query({ limit: 2 }).set(auth(admin)).expect(200);
    expect(first.body.items.map((t: { outcome: string }) => t.outcome)).toEqual([
      'tracking_found',
      'thanks',
    ]);
    const second = await api
      .http()
      .get(url)
      .query({ limit: 2, cursor: first.body.nextCursor })
      .set(auth(admin))
      .expect(200);
    expect(second.body.items.map((t: { outcome: string }) => t.outcome)).toEqual(['greeting']);
    expect(second.body.nextCursor).toBeNull();
  });
});
