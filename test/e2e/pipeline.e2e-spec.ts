import { PrismaService, QUEUES, QueueFactory, RedisService } from '@bandeja/core';
import {
  ConversationLock,
  ConversationProcessor,
  InboundPipeline,
  OutboundService,
  PipelineWorker,
} from '@bandeja/inbox';
import { SimulatorSession } from '@bandeja/whatsapp';
import {
  adminLogin,
  auth,
  bootApi,
  bootWorker,
  createPoint,
  connectSession,
  disconnectSession,
  eventually,
  sessionInState,
  TestApi,
  unique,
} from '../support/api';

/**
 * The inbound pipeline end to end: Simulator in → stored once → processed in order per
 * conversation → bot reply PENDING → sent through the same point → SENT. Real Postgres, Redis,
 * BullMQ; api and worker as in production, in one process.
 */
describe('inbox pipeline', () => {
  const prefix = `${process.env.REDIS_PREFIX}-pipe`;
  const env = { REDIS_PREFIX: prefix, WA_START_STAGGER_MS: '0' };
  let api: TestApi;
  let worker: Awaited<ReturnType<typeof bootWorker>> | undefined;
  let admin: string;
  let prisma: PrismaService;
  let pointId: string;
  let phoneSeq = 0;

  const phone = () =>
    `+5916${String(Date.now() % 1_000_000).padStart(6, '0')}${String(phoneSeq++).padStart(3, '0')}`.slice(
      0,
      14,
    );
  const inbound = (body: object, id = pointId) =>
    api.http().post(`/api/v1/service-points/${id}/simulator/inbound`).set(auth(admin)).send(body);
  const messagesOf = (customerPhone: string, point = pointId) =>
    prisma.message.findMany({
      where: { servicePointId: point, conversation: { customerPhone } },
      orderBy: [{ timestamp: 'asc' }, { createdAt: 'asc' }],
    });
  /** The customer's rows once `count` of their messages are processed and every reply is SENT. */
  const allProcessed = (customerPhone: string, count: number) =>
    eventually(
      async () => {
        const all = await messagesOf(customerPhone);
        return all.filter((m) => m.direction === 'IN' && m.processedAt).length === count &&
          all.filter((m) => m.direction === 'OUT').every((m) => m.status === 'SENT')
          ? all
          : null;
      },
      60000,
      `${count} messages processed`,
    );
  /** A customer's first message, answered: their conversation row. */
  const answeredConversation = async (customerPhone: string) => {
    expect((await inbound({ from: customerPhone, text: 'primero' })).status).toBe(202);
    await eventually(
      async () =>
        (await messagesOf(customerPhone)).some(
          (m) => m.senderType === 'BOT' && m.status === 'SENT',
        ),
      10000,
      'first reply',
    );
    return prisma.conversation.findFirstOrThrow({
      where: { servicePointId: pointId, customerPhone },
    });
  };
  /**
   * A customer message sent while another holder has the conversation: stored, and its job has
   * ended finding the conversation busy (the message waits for the holder).
   */
  const storedWhileHeld = async (customerPhone: string, text: string) => {
    const providerMessageId = unique('held');
    expect((await inbound({ from: customerPhone, text, providerMessageId })).status).toBe(202);
    const stored = await prisma.message.findFirstOrThrow({
      where: { servicePointId: pointId, providerMessageId },
    });
    const queue = api.app.get(QueueFactory).get(QUEUES.pipeline);
    await eventually(
      async () => (await queue.getJob(`in_${stored.id}`)) === undefined,
      10000,
      'job ended busy',
    );
    return stored;
  };
  const startWorker = async () => {
    worker = await bootWorker(env);
    await sessionInState(worker, pointId);
  };
  const stopWorker = async () => {
    await worker?.close();
    worker = undefined;
  };

  beforeAll(async () => {
    api = await bootApi(env);
    admin = await adminLogin(api);
    prisma = api.app.get(PrismaService);
    pointId = (await createPoint(api, admin, { provider: 'SIMULATOR' })).id;
    await startWorker();
  });
  afterAll(async () => {
    await stopWorker();
    await api.close();
  });

  it('plans every statement for its parameters (named statements never settle on a generic plan)', async () => {
    const [row] = await prisma.$queryRaw<{ plan_cache_mode: string }[]>`SHOW plan_cache_mode`;
    expect(row.plan_cache_mode).toBe('force_custom_plan');
  });

  it('one customer message → one IN, one conversation, one bot reply SENT through the same point', async () => {
    const from = phone();
    const res = await inbound({ from, text: 'Hola', pushName: 'Ana' });
    expect(res.status).toBe(202);
    const rows = await eventually(
      async () => {
        const all = await messagesOf(from);
        return all.length === 2 && all[1].status === 'SENT' ? all : null;
      },
      10000,
      'bot reply SENT',
    );
    expect(rows[0]).toMatchObject({
      direction: 'IN',
      senderType: 'CUSTOMER',
      status: 'RECEIVED',
      content: 'Hola',
    });
    expect(rows[0].processedAt).not.toBeNull();
    expect(rows[1]).toMatchObject({
      direction: 'OUT',
      senderType: 'BOT',
      status: 'SENT',
      servicePointId: pointId,
    });
    expect(rows[1].content).toContain('Hola');
    expect(rows[1].providerMessageId).toMatch(/^3EB0[0-9A-F]{18}$/);
    expect(
      await prisma.conversation.count({ where: { servicePointId: pointId, customerPhone: from } }),
    ).toBe(1);
    const session = worker!.manager.get(pointId) as SimulatorSession;
    expect(
      session.outbox.filter((m) => m.providerMessageId === rows[1].providerMessageId),
    ).toHaveLength(1);
  });

  it('the same providerMessageId 50 times concurrently → one row, one reply', async () => {
    const from = phone();
    const id = unique('dup');
    await Promise.all(
      Array.from({ length: 50 }, () =>
        inbound({ from, text: 'una sola vez', providerMessageId: id }),
      ),
    );
    await eventually(
      async () => (await messagesOf(from)).some((m) => m.status === 'SENT'),
      10000,
      'reply',
    );
    await new Promise((r) => setTimeout(r, 500));
    const rows = await messagesOf(from);
    expect(rows.filter((m) => m.direction === 'IN')).toHaveLength(1);
    expect(rows.filter((m) => m.direction === 'OUT')).toHaveLength(1);
  });

  it('100 concurrent messages of one customer with the same timestamp: all stored once, counted, processed in stored order', async () => {
    const from = phone();
    const timestamp = new Date(Date.now() - 1000).toISOString();
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        inbound({ from, text: `a la vez ${i}`, timestamp, providerMessageId: unique(`same${i}`) }),
      ),
    );
    expect(responses.every((r) => r.status === 202 && r.body.duplicate === false)).toBe(true);
    const conv = await prisma.conversation.findFirstOrThrow({
      where: { servicePointId: pointId, customerPhone: from },
    });
    expect(conv.unreadCount).toBe(100);
    expect(conv.lastInboundAt?.toISOString()).toBe(timestamp);
    const rows = await allProcessed(from, 100);
    // The pipeline's order: timestamp (all equal here), then createdAt, then id.
    const incoming = rows
      .filter((m) => m.direction === 'IN')
      .sort(
        (a, b) =>
          a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
    expect(new Set(incoming.map((m) => m.content)).size).toBe(100);
    expect(incoming.every((m) => m.timestamp.toISOString() === timestamp)).toBe(true);
    const processed = incoming.map((m) => m.processedAt!.getTime());
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    // The bot answered the first three stored messages, in that order, one reply each.
    const traces = await prisma.aiTrace.findMany({
      where: { conversationId: conv.id },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    expect(traces.map((t) => t.messageId)).toEqual(incoming.slice(0, 3).map((m) => m.id));
    const replies = rows.filter((m) => m.direction === 'OUT');
    expect(replies.map((m) => m.content)).toEqual(traces.map((t) => t.reply));
  }, 90000);

  it('a burst mixing repeated provider ids with new messages: each id stored once, one duplicate:false per id', async () => {
    const [ana, beto] = [phone(), phone()];
    const repeated = unique('rep');
    const stored = unique('old');
    expect(
      (await inbound({ from: ana, text: 'ya guardado', providerMessageId: stored })).body,
    ).toEqual({ providerMessageId: stored, duplicate: false });
    const bodies: { from: string; text: string; providerMessageId: string }[] = [];
    for (let i = 0; i < 40; i++) {
      const from = i % 2 ? beto : ana;
      bodies.push({ from, text: `nuevo ${i}`, providerMessageId: unique(`new${i}`) });
      if (i % 4 === 0) bodies.push({ from: ana, text: 'repetido', providerMessageId: repeated });
      if (i % 8 === 0) bodies.push({ from: ana, text: 'ya guardado', providerMessageId: stored });
    }
    const responses = await Promise.all(bodies.map((b) => inbound(b)));
    expect(responses.every((r) => r.status === 202)).toBe(true);
    const answers = responses.map(
      (r) => r.body as { providerMessageId: string; duplicate: boolean },
    );
    const fresh = (id: string) =>
      answers.filter((a) => a.providerMessageId === id && a.duplicate === false).length;
    expect(fresh(repeated)).toBe(1);
    expect(fresh(stored)).toBe(0);
    for (const b of bodies.filter((b) => b.text.startsWith('nuevo')))
      expect(fresh(b.providerMessageId)).toBe(1);
    const ids = [repeated, stored, ...bodies.map((b) => b.providerMessageId)];
    const rows = await prisma.message.findMany({
      where: { servicePointId: pointId, providerMessageId: { in: ids } },
    });
    expect(rows).toHaveLength(42);
    expect(new Set(rows.map((r) => r.providerMessageId)).size).toBe(42);
    const convs = await prisma.conversation.findMany({
      where: { servicePointId: pointId, customerPhone: { in: [ana, beto] } },
    });
    const unread = Object.fromEntries(convs.map((c) => [c.customerPhone, c.unreadCount]));
    // Ana: the stored one, the repeated one, 20 new; Beto: 20 new.
    expect(unread).toEqual({ [ana]: 22, [beto]: 20 });
    for (const c of convs) {
      expect(rows.filter((r) => r.conversationId === c.id)).toHaveLength(c.unreadCount);
    }
  }, 60000);

  it('200 messages from one customer in a burst are stored and answered in order', async () => {
    const from = phone();
    // WhatsApp delivers one sender's messages in order: a burst of back-to-back requests, while the
    // worker is already answering the first ones.
    for (let i = 0; i < 200; i++) {
      const res = await inbound({
        from,
        text: `mensaje ${i}`,
        providerMessageId: unique(`burst${i}`),
      });
      expect(res.status).toBe(202);
    }
    // The bot cannot help with "mensaje N": it apologises twice, then hands the conversation to a
    // person (its third reply) and stays quiet for the rest, which are still processed in order.
    const rows = await allProcessed(from, 200);
    const incoming = rows.filter((m) => m.direction === 'IN');
    expect(incoming.map((m) => m.content)).toEqual(
      Array.from({ length: 200 }, (_, i) => `mensaje ${i}`),
    );
    // Processed one at a time in arrival order: processing times never go backwards…
    const processed = incoming.map((m) => m.processedAt!.getTime());
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    // …and the bot took exactly the first three turns, in order, one reply each.
    const conv = await prisma.conversation.findFirstOrThrow({
      where: { servicePointId: pointId, customerPhone: from },
    });
    const traces = await prisma.aiTrace.findMany({
      where: { conversationId: conv.id },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    expect(traces.map((t) => t.messageId)).toEqual(incoming.slice(0, 3).map((m) => m.id));
    expect(traces.map((t) => t.outcome)).toEqual(['unknown', 'unknown', 'handoff']);
    const replies = rows.filter((m) => m.direction === 'OUT');
    expect(replies.map((m) => m.content)).toEqual(traces.map((t) => t.reply));
    expect(replies.every((m) => m.senderType === 'BOT')).toBe(true);
    expect(conv.status).toBe('HUMAN');
  }, 90000);

  it('50 customers in parallel each get exactly their replies', async () => {
    const customers = Array.from({ length: 50 }, () => phone());
    await Promise.all(
      customers.flatMap((from) =>
        [0, 1, 2].map((n) =>
          inbound({ from, text: `soy ${from} #${n}`, providerMessageId: unique('par') }),
        ),
      ),
    );
    for (const from of customers) {
      const rows = await eventually(
        async () => {
          const all = await messagesOf(from);
          return all.filter((m) => m.direction === 'OUT' && m.status === 'SENT').length === 3
            ? all
            : null;
        },
        30000,
        `replies of ${from}`,
      );
      // Each of the three replies answers one of this customer's messages, in order.
      const traces = await prisma.aiTrace.findMany({
        where: { conversationId: rows[0].conversationId },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      const incoming = rows.filter((m) => m.direction === 'IN');
      expect(traces.map((t) => t.messageId)).toEqual(
        [...incoming]
          .sort((a, b) => a.processedAt!.getTime() - b.processedAt!.getTime())
          .map((m) => m.id),
      );
      expect(rows.filter((m) => m.direction === 'OUT').map((m) => m.content)).toEqual(
        traces.map((t) => t.reply),
      );
    }
  }, 60000);

  it('HUMAN conversation: no bot reply; back to BOT resumes replies', async () => {
    const from = phone();
    await inbound({ from, text: 'primero' });
    const conv = await eventually(
      async () =>
        prisma.conversation.findFirst({ where: { servicePointId: pointId, customerPhone: from } }),
      5000,
      'conversation',
    );
    await eventually(async () => (await messagesOf(from)).length === 2, 10000, 'first reply');
    await prisma.conversation.update({ where: { id: conv.id }, data: { status: 'HUMAN' } });
    await inbound({ from, text: 'con humano' });
    await eventually(
      async () => (await messagesOf(from)).every((m) => m.direction === 'OUT' || m.processedAt),
      10000,
      'processed',
    );
    expect((await messagesOf(from)).filter((m) => m.direction === 'OUT')).toHaveLength(1);
    await prisma.conversation.update({ where: { id: conv.id }, data: { status: 'BOT' } });
    await inbound({ from, text: 'de vuelta al bot' });
    await eventually(
      async () => (await messagesOf(from)).filter((m) => m.direction === 'OUT').length === 2,
      10000,
      'bot again',
    );
  });

  it('an agent reply goes out through the same point; a disconnected session refuses it with 503 and stores nothing', async () => {
    const from = phone();
    await inbound({ from, text: 'necesito ayuda' });
    const conv = await eventually(
      async () =>
        prisma.conversation.findFirst({ where: { servicePointId: pointId, customerPhone: from } }),
      5000,
      'conversation',
    );
    const sent = await api
      .http()
      .post(`/api/v1/conversations/${conv.id}/messages`)
      .set(auth(admin))
      .send({ content: 'Hola, soy Ana' });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({
      direction: 'OUT',
      senderType: 'AGENT',
      status: 'PENDING',
      content: 'Hola, soy Ana',
      conversationId: conv.id,
    });
    await eventually(
      async () =>
        (await prisma.message.findUnique({ where: { id: sent.body.id } }))?.status === 'SENT',
      10000,
      'agent message SENT',
    );
    expect(
      await prisma.auditLog.count({
        where: { action: 'message.sent_by_agent', entityId: sent.body.id },
      }),
    ).toBe(1);

    await disconnectSession(api, admin, pointId);
    const before = await prisma.message.count({ where: { conversationId: conv.id } });
    const refused = await api
      .http()
      .post(`/api/v1/conversations/${conv.id}/messages`)
      .set(auth(admin))
      .send({ content: 'no saldrá' });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({
      error: 'whatsapp_not_ready',
      details: { state: 'STOPPED' },
    });
    expect(await prisma.message.count({ where: { conversationId: conv.id } })).toBe(before);
    const bad = await api
      .http()
      .post(`/api/v1/conversations/${conv.id}/messages`)
      .set(auth(admin))
      .send({ content: '', extra: 1 });
    expect(bad.status).toBe(400);
    await connectSession(api, admin, pointId);
  });

  it('crash safety: messages stored while no worker runs and Redis is flushed are all answered exactly once', async () => {
    await stopWorker();
    const customers = Array.from({ length: 10 }, () => phone());
    for (const from of customers)
      expect((await inbound({ from, text: 'sin worker' })).status).toBe(503);
    // The simulator refuses while its session is down; store directly through the pipeline's
    // entry (as Baileys would while the worker is restarting) to simulate in-flight messages.
    const inboundPipeline = api.app.get(InboundPipeline);
    for (const from of customers) {
      await inboundPipeline.accept({
        servicePointId: pointId,
        providerMessageId: unique('crash'),
        customerPhone: from,
        pushName: null,
        text: 'guardado sin worker',
        kind: 'text',
        fromMe: false,
        timestamp: new Date(),
      });
    }
    // A reply that a dead worker had claimed but never marked SENT.
    const conv = await prisma.conversation.findFirstOrThrow({
      where: { servicePointId: pointId, customerPhone: customers[0] },
    });
    const orphan = await api.app.get(OutboundService).createPending({
      conversationId: conv.id,
      servicePointId: pointId,
      content: 'huérfano',
      senderType: 'AGENT',
    });
    await prisma.message.update({
      where: { id: orphan.id },
      data: { claimedAt: new Date(Date.now() - 120_000), sendAttempts: 1 },
    });
    // Lose every job in Redis.
    const redis = api.app.get(RedisService).client;
    const keys = await redis.keys(`${prefix}:bull:*`);
    if (keys.length) await redis.del(...keys);
    await prisma.message.updateMany({
      where: { servicePointId: pointId, processedAt: null },
      data: { createdAt: new Date(Date.now() - 10_000) },
    });
    await prisma.message.update({
      where: { id: orphan.id },
      data: { createdAt: new Date(Date.now() - 10_000) },
    });

    await startWorker();
    await worker!.ctx.get(PipelineWorker).sweep();
    for (const from of customers) {
      await eventually(
        async () =>
          (await messagesOf(from)).filter((m) => m.senderType === 'BOT' && m.status === 'SENT')
            .length === 1,
        15000,
        `reply to ${from}`,
      );
    }
    await eventually(
      async () =>
        (await prisma.message.findUnique({ where: { id: orphan.id } }))?.status === 'SENT',
      15000,
      'orphan sent',
    );
    await new Promise((r) => setTimeout(r, 500));
    for (const from of customers) {
      expect(
        (await messagesOf(from)).filter((m) => m.direction === 'OUT' && m.senderType === 'BOT'),
      ).toHaveLength(1);
    }
  }, 60000);

  it('a message stored while its conversation is held leaves word for the holder, who goes round again', async () => {
    const from = phone();
    const conv = await answeredConversation(from);
    const lock = worker!.ctx.get(ConversationLock);
    // This test is the holder now; a second taker is refused and leaves word.
    expect(await lock.acquire(conv.id, 'holder')).toBe(true);
    expect(await lock.acquire(conv.id, 'other')).toBe(false);
    expect(await lock.release(conv.id, 'holder')).toBe(true);
    // The word is taken with it; a free lock is taken at once.
    expect(await lock.release(conv.id, 'holder')).toBe(false);
    expect(await lock.acquire(conv.id, 'holder')).toBe(true);
    // Only its holder lets go of the lock.
    expect(await lock.release(conv.id, 'not-the-holder')).toBe(false);
    expect(await lock.acquire(conv.id, 'other')).toBe(false);
    expect(await lock.release(conv.id, 'holder')).toBe(true);

    // The real thing: a customer message arrives while the holder (this test) works.
    expect(await lock.acquire(conv.id, 'holder')).toBe(true);
    const stored = await storedWhileHeld(from, 'mientras');
    expect(
      (await prisma.message.findUniqueOrThrow({ where: { id: stored.id } })).processedAt,
    ).toBeNull();
    // Letting go tells the holder to look again; going round answers the message (no sweep).
    expect(await lock.release(conv.id, 'holder')).toBe(true);
    expect(await worker!.ctx.get(ConversationProcessor).process(conv.id)).toBe('done');
    const bot = (await messagesOf(from)).filter((m) => m.senderType === 'BOT');
    expect(bot).toHaveLength(2);
    expect(
      (await prisma.message.findUniqueOrThrow({ where: { id: stored.id } })).processedAt,
    ).not.toBeNull();
  });

  it('the sweep re-adds only lost work, not a conversation a worker is still holding', async () => {
    if (!worker) await startWorker();
    const from = phone();
    const conv = await answeredConversation(from);
    // Another worker holds the conversation (as under a backlog): the new message's job finds it
    // busy and ends; the message waits for the holder.
    const lock = worker!.ctx.get(ConversationLock);
    expect(await lock.acquire(conv.id, 'another-worker')).toBe(true);
    const stored = await storedWhileHeld(from, 'segundo');
    await prisma.message.update({
      where: { id: stored.id },
      data: { createdAt: new Date(Date.now() - 10_000) },
    });
    const sweeper = worker!.ctx.get(PipelineWorker);
    expect((await sweeper.sweep()).conversations).toBe(0);
    expect((await messagesOf(from)).filter((m) => m.senderType === 'BOT')).toHaveLength(1);
    // The holder dies without finishing: once its lock is gone, the sweep re-adds the work.
    await api.app.get(RedisService).client.del(lock.key(conv.id));
    expect((await sweeper.sweep()).conversations).toBe(1);
    await eventually(
      async () =>
        (await messagesOf(from)).filter((m) => m.senderType === 'BOT' && m.status === 'SENT')
          .length === 2,
      10000,
      'second reply',
    );
  });
});
