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
  TestApi,
  unique,
} from '../support/api';

/**
 * The inbox over real HTTP and Postgres: conversations come in through the simulator (the same
 * pipeline as WhatsApp), then are listed, searched, paged, read, switched and assigned.
 */
interface Customer {
  phone: string;
  name: string;
  texts: string[];
}

const CARLA: Customer = {
  phone: '+59170000101',
  name: 'Carla Mendoza',
  texts: ['Hola', '¿Dónde está mi paquete LP-2024-000187?'],
};
const JORGE: Customer = {
  phone: '+59170000202',
  name: 'Jorge Quispe',
  texts: ['Buenas tardes', 'Quiero un descuento del 50% por favor'],
};
const ANA: Customer = {
  phone: '+59170000303',
  name: 'Ana_Lucía Rojas',
  texts: ['Consulta', '¿Cuál es el horario de atención?'],
};
const PEDRO: Customer = { phone: '+59171234567', name: 'Pedro Vaca', texts: ['Hola', 'Gracias'] };
const LUCIA: Customer = {
  phone: '+59170000505',
  name: 'Lucía Flores',
  texts: ['Buen día', 'Necesito ayuda', 'Es urgente'],
};
const JORGE_AGAIN = 'Sigo esperando';
const MARIO_PHONE = '+59170000606';

type Res = { status: number; body: any };

describe('inbox api', () => {
  const env = { REDIS_PREFIX: `${process.env.REDIS_PREFIX}-inbox`, WA_START_STAGGER_MS: '0' };
  let api: TestApi;
  let worker: Awaited<ReturnType<typeof bootWorker>>;
  let prisma: PrismaService;
  let admin: string;
  let adminId: string;
  let A: string;
  let B: string;
  let agentA: { id: string; token: string };
  let agentA2: { id: string; token: string };
  let agentB: { id: string; token: string };
  let keyA: { id: string; key: string };
  /** Conversation ids of point A by customer phone. */
  const ids: Record<string, string> = {};
  let convB: string;
  const seedStart = Date.now() - 30 * 60_000;
  let tick = 0;

  const send = async (
    phone: string,
    text: string,
    opts: { name?: string; at?: Date; point?: string } = {},
  ): Promise<void> => {
    const res = await api
      .http()
      .post(`/api/v1/service-points/${opts.point ?? A}/simulator/inbound`)
      .set(auth(admin))
      .send({
        from: phone,
        text,
        providerMessageId: unique('wamid'),
        ...(opts.name ? { pushName: opts.name } : {}),
        ...(opts.at ? { timestamp: opts.at.toISOString() } : {}),
      });
    if (res.status !== 202)
      throw new Error(`inbound failed: ${res.status} ${JSON.stringify(res.body)}`);
  };
  /** Seed messages get increasing timestamps one second apart, in the past. */
  const seedAt = () => new Date(seedStart + tick++ * 1000);

  const get = (path: string, token = agentA.token): Promise<Res> =>
    api.http().get(path).set(auth(token));
  const getWith = (path: string, headers: Record<string, string>): Promise<Res> =>
    api.http().get(path).set(headers);
  const list = (query = '', token = agentA.token, point = A) =>
    get(`/api/v1/service-points/${point}/conversations${query ? `?${query}` : ''}`, token);
  const patch = (
    id: string,
    body: unknown,
    token = agentA.token,
    requestId?: string,
  ): Promise<Res> => {
    const req = api.http().patch(`/api/v1/conversations/${id}`).set(auth(token));
    if (requestId) req.set('X-Request-Id', requestId);
    return req.send(body as object);
  };
  const phonesOf = (res: Res): string[] =>
    res.body.items.map((c: { customerPhone: string }) => c.customerPhone);
  const sorted = (values: string[]) => [...values].sort();
  const expectValidation = (res: Res, field: string) => {
    expect([field, res.status, res.body.error]).toEqual([field, 400, 'validation_failed']);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
  };
  const auditRows = (conversationId: string) =>
    prisma.auditLog.findMany({
      where: { entityType: 'conversation', entityId: conversationId },
      orderBy: { createdAt: 'asc' },
    });

  beforeAll(async () => {
    api = await bootApi(env);
    worker = await bootWorker(env);
    prisma = api.app.get(PrismaService);
    admin = await adminLogin(api);
    adminId = (await get('/api/v1/auth/me', admin)).body.id;
    // The bot stays silent, so the conversations hold exactly the messages these tests send.
    A = (await createPoint(api, admin, { provider: 'SIMULATOR', botEnabled: false })).id;
    B = (await createPoint(api, admin, { provider: 'SIMULATOR', botEnabled: false })).id;
    agentA = await createUser(api, admin);
    agentA2 = await createUser(api, admin);
    agentB = await createUser(api, admin);
    await addMember(api, admin, A, agentA.id, 'AGENT');
    await addMember(api, admin, A, agentA2.id, 'AGENT');
    await addMember(api, admin, B, agentB.id, 'AGENT');
    const key = await api
      .http()
      .post('/api/v1/api-keys')
      .set(auth(admin))
      .send({ name: unique('inbox-key'), role: 'AGENT', servicePointIds: [A] });
    expect(key.status).toBe(201);
    keyA = { id: key.body.id, key: key.body.key };
    for (const point of [A, B]) {
      await eventually(
        async () =>
          (await get(`/api/v1/service-points/${point}/whatsapp`, admin)).body.state === 'CONNECTED',
        5000,
        'simulator connected',
      );
    }
    for (const customer of [CARLA, JORGE, ANA, PEDRO, LUCIA]) {
      for (const text of customer.texts)
        await send(customer.phone, text, { name: customer.name, at: seedAt() });
    }
    await send(JORGE.phone, JORGE_AGAIN, { name: JORGE.name, at: seedAt() });
    // Point B has a customer with the same phone as Carla: a different conversation.
    await send(CARLA.phone, 'Hola desde la otra sucursal', { name: 'Carla en B', point: B });
    for (const row of await prisma.conversation.findMany({ where: { servicePointId: A } })) {
      ids[row.customerPhone] = row.id;
    }
    convB = (await prisma.conversation.findFirstOrThrow({ where: { servicePointId: B } })).id;
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('lists the point’s conversations newest activity first, with the contract’s fields', async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(phonesOf(res)).toEqual([JORGE.phone, LUCIA.phone, PEDRO.phone, ANA.phone, CARLA.phone]);
    expect(res.body.nextCursor).toBeNull();
    const lastAt = new Date(seedStart + 10 * 1000).toISOString(); // Lucía's third message
    expect(res.body.items[1]).toEqual({
      id: ids[LUCIA.phone],
      servicePointId: A,
      customerPhone: LUCIA.phone,
      customerName: LUCIA.name,
      status: 'BOT',
      assignedToUserId: null,
      lastMessageAt: lastAt,
      lastMessagePreview: 'Es urgente',
      unreadCount: 3,
      lastInboundAt: lastAt,
      windowOpen: true,
    });
    expect(res.body.items[0]).toMatchObject({ lastMessagePreview: JORGE_AGAIN, unreadCount: 3 });
    // Admins and the point's API key see the same list.
    expect(phonesOf(await list('', admin))).toEqual(phonesOf(res));
    expect(
      phonesOf(
        await getWith(`/api/v1/service-points/${A}/conversations`, { 'X-Api-Key': keyA.key }),
      ),
    ).toEqual(phonesOf(res));
  });

  it('GET /conversations/:id returns the same view as the list', async () => {
    const listed = (await list()).body.items.find((c: { id: string }) => c.id === ids[PEDRO.phone]);
    const res = await get(`/api/v1/conversations/${ids[PEDRO.phone]}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(listed);
  });

  it('searches by phone digits (with or without +), by name and by message text', async () => {
    const cases: [string, string[]][] = [
      ['70000202', [JORGE.phone]],
      ['+59170000202', [JORGE.phone]],
      ['+591 7123-4567', [PEDRO.phone]],
      ['quispe', [JORGE.phone]],
      ['CARLA', [CARLA.phone]],
      ['lucía', [LUCIA.phone, ANA.phone]],
      ['paquete', [CARLA.phone]],
      ['HORARIO DE', [ANA.phone]],
      ['lp-2024-000187', [CARLA.phone]],
      ['no existe nada así', []],
    ];
    for (const [search, expected] of cases) {
      const res = await list(`search=${encodeURIComponent(search)}`);
      expect([search, res.status, phonesOf(res)]).toEqual([search, 200, expected]);
    }
  });

  it('treats % and _ in a search literally', async () => {
    expect(phonesOf(await list(`search=${encodeURIComponent('%')}`))).toEqual([JORGE.phone]);
    expect(phonesOf(await list(`search=${encodeURIComponent('50%')}`))).toEqual([JORGE.phone]);
    expect(phonesOf(await list(`search=${encodeURIComponent('_')}`))).toEqual([ANA.phone]);
    expect(phonesOf(await list(`search=${encodeURIComponent('a_l')}`))).toEqual([ANA.phone]);
    expect(phonesOf(await list(`search=${encodeURIComponent('%%%')}`))).toEqual([]);
  });

  it('rejects bad list queries with 400', async () => {
    const cases: [string, string][] = [
      ['limit=201', 'limit'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['status=OPEN', 'status'],
      ['assignedTo=somebody', 'assignedTo'],
      ['search=', 'search'],
      [`search=${'x'.repeat(101)}`, 'search'],
      ['unknown=1', 'unknown'],
    ];
    for (const [query, field] of cases) expectValidation(await list(query), field);
    const badCursors = [
      'not-a-cursor',
      Buffer.from(JSON.stringify({ v: 'yesterday', id: ids[CARLA.phone] })).toString('base64url'),
      Buffer.from(JSON.stringify({ v: new Date().toISOString(), id: 'x' })).toString('base64url'),
      Buffer.from(JSON.stringify({ id: ids[CARLA.phone] })).toString('base64url'),
    ];
    for (const cursor of badCursors) {
      for (const path of [
        `/api/v1/service-points/${A}/conversations?cursor=${cursor}`,
        `/api/v1/conversations/${ids[CARLA.phone]}/messages?cursor=${cursor}`,
      ]) {
        const res = await get(path);
        expect([path, res.status, res.body.error]).toEqual([path, 400, 'invalid_cursor']);
      }
    }
    expectValidation(
      await get(`/api/v1/conversations/${ids[CARLA.phone]}/messages?limit=201`),
      'limit',
    );
    expectValidation(
      await get(`/api/v1/conversations/${ids[CARLA.phone]}/messages?order=up`),
      'order',
    );
    expectValidation(await get('/api/v1/conversations/not-a-uuid'), 'id');
    expectValidation(await list('', agentA.token, 'not-a-uuid'), 'id');
    const missing = await get('/api/v1/conversations/00000000-0000-4000-8000-000000000000');
    expect([missing.status, missing.body.error]).toEqual([404, 'not_found']);
  });

  it('keyset pagination walks every conversation exactly once while messages arrive', async () => {
    const all = new Set(Object.values(ids));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Res = await list(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
      pages += 1;
      // Customers already on screen write again: they jump to the top, behind the cursor.
      for (const id of seen.slice(0, pages)) {
        const phone = Object.keys(ids).find((p) => ids[p] === id) as string;
        await send(phone, `otra vez ${pages}`);
      }
    } while (cursor && pages < 10);
    expect(seen).toHaveLength(all.size);
    expect(new Set(seen)).toEqual(all);
    expect(pages).toBe(3);
    // The fresh messages are now at the top, newest first.
    const top = (await list('limit=1')).body;
    expect(top.items).toHaveLength(1);
    expect(top.nextCursor).toEqual(expect.any(String));
    expect(top.items[0].lastMessagePreview).toBe('otra vez 3');
  });

  it('counts unread inbound messages and resets them on read', async () => {
    const id = ids[PEDRO.phone];
    const before = (await get(`/api/v1/conversations/${id}`)).body.unreadCount;
    await send(PEDRO.phone, 'uno');
    await send(PEDRO.phone, 'dos');
    expect((await get(`/api/v1/conversations/${id}`)).body.unreadCount).toBe(before + 2);
    const read = await api.http().post(`/api/v1/conversations/${id}/read`).set(auth(agentA.token));
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id,
      unreadCount: 0,
      customerPhone: PEDRO.phone,
      lastMessagePreview: 'dos',
    });
    expect((await get(`/api/v1/conversations/${id}`)).body.unreadCount).toBe(0);
    const listed = (await list()).body.items.find((c: { id: string }) => c.id === id);
    expect(listed.unreadCount).toBe(0);
    const again = await api.http().post(`/api/v1/conversations/${id}/read`).set(auth(agentA.token));
    expect([again.status, again.body.unreadCount]).toEqual([200, 0]);
    await send(PEDRO.phone, 'tres');
    expect((await get(`/api/v1/conversations/${id}`)).body.unreadCount).toBe(1);
  });

  it('lists messages in both orders with keyset pagination (ties broken by id)', async () => {
    const base = Date.now() - 5 * 60_000;
    const at = [0, 1000, 1000, 1000, 2000, 3000].map((ms) => new Date(base + ms));
    const texts = ['m0', 'm1a', 'm1b', 'm1c', 'm2', 'm3'];
    for (let i = 0; i < texts.length; i++)
      await send(MARIO_PHONE, texts[i], { name: 'Mario', at: at[i] });
    const id = (
      await prisma.conversation.findUniqueOrThrow({
        where: { servicePointId_customerPhone: { servicePointId: A, customerPhone: MARIO_PHONE } },
      })
    ).id;
    ids[MARIO_PHONE] = id;
    const path = `/api/v1/conversations/${id}/messages`;

    const desc = await get(path);
    expect(desc.status).toBe(200);
    expect(desc.body.nextCursor).toBeNull();
    expect(desc.body.items).toHaveLength(6);
    const asc = await get(`${path}?order=asc`);
    expect(asc.body.items).toEqual([...desc.body.items].reverse());
    expect(asc.body.items[0]).toEqual({
      id: expect.any(String),
      conversationId: id,
      servicePointId: A,
      direction: 'IN',
      senderType: 'CUSTOMER',
      senderUserId: null,
      content: 'm0',
      status: 'RECEIVED',
      providerMessageId: expect.stringMatching(/^wamid-/),
      timestamp: at[0].toISOString(),
    });
    expect(asc.body.items.map((m: { content: string }) => m.content)).toEqual([
      'm0',
      expect.stringMatching(/^m1/),
      expect.stringMatching(/^m1/),
      expect.stringMatching(/^m1/),
      'm2',
      'm3',
    ]);
    const stamps = asc.body.items.map((m: { timestamp: string }) => m.timestamp);
    expect(stamps).toEqual([...stamps].sort());

    for (const [order, full] of [
      ['desc', desc.body.items],
      ['asc', asc.body.items],
    ] as const) {
      const walked: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Res = await get(
          `${path}?order=${order}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        walked.push(...res.body.items);
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect([order, pages]).toEqual([order, 3]);
      expect(walked).toEqual(full);
    }
  });

  it('PATCH switches status and assignment, one audit row per change with actor and request id', async () => {
    const ana = ids[ANA.phone];
    const status = await patch(ana, { status: 'HUMAN' }, agentA.token, 'req-inbox-status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      id: ana,
      status: 'HUMAN',
      assignedToUserId: null,
      customerPhone: ANA.phone,
    });
    expect(status.body.windowOpen).toBe(true);
    expect(await auditRows(ana)).toEqual([
      expect.objectContaining({
        action: 'conversation.status_changed',
        entityType: 'conversation',
        entityId: ana,
        servicePointId: A,
        actorUserId: agentA.id,
        actorApiKeyId: null,
        requestId: 'req-inbox-status',
        data: { from: 'BOT', to: 'HUMAN' },
      }),
    ]);

    const pedro = ids[PEDRO.phone];
    const both = await patch(
      pedro,
      { status: 'HUMAN', assignedToUserId: agentA.id },
      agentA.token,
      'req-inbox-both',
    );
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({ status: 'HUMAN', assignedToUserId: agentA.id });
    const pedroRows = await auditRows(pedro);
    expect(pedroRows.map((r) => [r.action, r.data, r.actorUserId, r.requestId])).toEqual(
      expect.arrayContaining([
        ['conversation.status_changed', { from: 'BOT', to: 'HUMAN' }, agentA.id, 'req-inbox-both'],
        ['conversation.assigned', { from: null, to: agentA.id }, agentA.id, 'req-inbox-both'],
      ]),
    );
    expect(pedroRows).toHaveLength(2);

    const carla = ids[CARLA.phone];
    expect((await patch(carla, { assignedToUserId: agentA2.id })).body.assignedToUserId).toBe(
      agentA2.id,
    );
    // The same value again changes nothing and records nothing.
    const same = await patch(carla, { assignedToUserId: agentA2.id, status: 'BOT' });
    expect([same.status, same.body.assignedToUserId, same.body.status]).toEqual([
      200,
      agentA2.id,
      'BOT',
    ]);
    expect(await auditRows(carla)).toHaveLength(1);

    // An admin may be assigned without a membership; null unassigns.
    const lucia = ids[LUCIA.phone];
    expect((await patch(lucia, { assignedToUserId: adminId })).body.assignedToUserId).toBe(adminId);
    const unassigned = await patch(lucia, { assignedToUserId: null }, agentA2.token);
    expect([unassigned.status, unassigned.body.assignedToUserId]).toEqual([200, null]);
    expect((await auditRows(lucia)).map((r) => [r.data, r.actorUserId])).toEqual([
      [{ from: null, to: adminId }, agentA.id],
      [{ from: adminId, to: null }, agentA2.id],
    ]);

    // An API key is recorded as the actor; then a person hands the conversation back to the bot.
    const jorge = ids[JORGE.phone];
    const byKey = await api
      .http()
      .patch(`/api/v1/conversations/${jorge}`)
      .set({ 'X-Api-Key': keyA.key })
      .send({ status: 'HUMAN' });
    expect([byKey.status, byKey.body.status]).toEqual([200, 'HUMAN']);
    expect((await patch(jorge, { status: 'BOT' })).body.status).toBe('BOT');
    expect((await auditRows(jorge)).map((r) => [r.data, r.actorUserId, r.actorApiKeyId])).toEqual([
      [{ from: 'BOT', to: 'HUMAN' }, null, keyA.id],
      [{ from: 'HUMAN', to: 'BOT' }, agentA.id, null],
    ]);
    const stored = await prisma.conversation.findUniqueOrThrow({ where: { id: pedro } });
    expect([stored.status, stored.assignedToUserId]).toEqual(['HUMAN', agentA.id]);
  });

  it('filters by status and assignee (me, none, a user id)', async () => {
    const phones = async (query: string, token = agentA.token) => {
      const res = await list(query, token);
      expect([query, res.status]).toEqual([query, 200]);
      return sorted(phonesOf(res));
    };
    expect(await phones('status=HUMAN')).toEqual(sorted([ANA.phone, PEDRO.phone]));
    expect(await phones('status=BOT')).toEqual(
      sorted([CARLA.phone, JORGE.phone, LUCIA.phone, MARIO_PHONE]),
    );
    expect(await phones('assignedTo=me')).toEqual([PEDRO.phone]);
    expect(await phones('assignedTo=me', agentA2.token)).toEqual([CARLA.phone]);
    expect(await phones(`assignedTo=${agentA2.id}`)).toEqual([CARLA.phone]);
    expect(await phones(`assignedTo=${agentA2.id.toUpperCase()}`)).toEqual([CARLA.phone]);
    expect(await phones('assignedTo=none')).toEqual(
      sorted([ANA.phone, JORGE.phone, LUCIA.phone, MARIO_PHONE]),
    );
    expect(await phones('status=HUMAN&assignedTo=none')).toEqual([ANA.phone]);
    expect(await phones('status=BOT&assignedTo=me')).toEqual([]);
    expect(await phones('assignedTo=me', admin)).toEqual([]);
    expect(await phones('assignedTo=none&search=lucía')).toEqual(sorted([ANA.phone, LUCIA.phone]));
    // Pagination keeps the filter.
    const first = await list('status=BOT&limit=3');
    const second = await list(`status=BOT&limit=3&cursor=${first.body.nextCursor}`);
    expect(sorted([...phonesOf(first), ...phonesOf(second)])).toEqual(
      sorted([CARLA.phone, JORGE.phone, LUCIA.phone, MARIO_PHONE]),
    );
    expect(second.body.nextCursor).toBeNull();
    // An API key has no user: "me" means nothing for it.
    const key = { 'X-Api-Key': keyA.key };
    expectValidation(
      await getWith(`/api/v1/service-points/${A}/conversations?assignedTo=me`, key),
      'assignedTo',
    );
    const none = await getWith(`/api/v1/service-points/${A}/conversations?assignedTo=none`, key);
    expect(none.status).toBe(200);
    expect(sorted(phonesOf(none))).toEqual(
      sorted([ANA.phone, JORGE.phone, LUCIA.phone, MARIO_PHONE]),
    );
  });

  it('rejects bad PATCH bodies with 400 and changes nothing', async () => {
    const id = ids[CARLA.phone];
    const before = await prisma.conversation.findUniqueOrThrow({ where: { id } });
    const audits = await prisma.auditLog.count({ where: { entityId: id } });
    const cases: [unknown, string][] = [
      [{ assignedToUserId: agentB.id }, 'assignedToUserId'], // a member of another point
      [{ assignedToUserId: '00000000-0000-4000-8000-000000000000' }, 'assignedToUserId'],
      [{ assignedToUserId: 'abc' }, 'assignedToUserId'],
      [{ assignedToUserId: 42 }, 'assignedToUserId'],
      [{}, 'status'],
      [{ status: 'CLOSED' }, 'status'],
      [{ status: null }, 'status'],
      [{ status: 'HUMAN', foo: 1 }, 'foo'],
      [{ status: 'HUMAN', unreadCount: 0 }, 'unreadCount'],
    ];
    for (const [body, field] of cases) {
      expectValidation(await patch(id, body), field);
    }
    expectValidation(await patch('not-a-uuid', { status: 'HUMAN' }), 'id');
    const missing = await patch('00000000-0000-4000-8000-000000000000', { status: 'HUMAN' });
    expect([missing.status, missing.body.error]).toEqual([404, 'not_found']);
    expect(await prisma.conversation.findUniqueOrThrow({ where: { id } })).toEqual(before);
    expect(await prisma.auditLog.count({ where: { entityId: id } })).toBe(audits);
  });

  it('an agent of another point gets 404 on every conversation route and never sees A’s conversations', async () => {
    const id = ids[CARLA.phone];
    const before = await prisma.conversation.findUniqueOrThrow({ where: { id } });
    const token = agentB.token;
    const responses: [string, Res][] = [
      ['GET', await get(`/api/v1/conversations/${id}`, token)],
      ['PATCH', await patch(id, { status: 'HUMAN' }, token)],
      ['PATCH assignee', await patch(id, { assignedToUserId: agentB.id }, token)],
      ['read', await api.http().post(`/api/v1/conversations/${id}/read`).set(auth(token))],
      ['messages', await get(`/api/v1/conversations/${id}/messages`, token)],
      ['list A', await list('', token)],
    ];
    for (const [name, res] of responses) {
      expect([name, res.status, res.body.error]).toEqual([name, 404, 'not_found']);
      expect(JSON.stringify(res.body)).not.toContain(CARLA.phone);
    }
    // A's API key is just as foreign to B.
    const keyOnB = await getWith(`/api/v1/conversations/${convB}`, { 'X-Api-Key': keyA.key });
    expect(keyOnB.status).toBe(404);
    expect(await prisma.conversation.findUniqueOrThrow({ where: { id } })).toEqual(before);

    const own = await list('', token, B);
    expect(own.status).toBe(200);
    expect(own.body.items.map((c: { id: string }) => c.id)).toEqual([convB]);
    expect(own.body.items[0]).toMatchObject({
      servicePointId: B,
      customerPhone: CARLA.phone,
      customerName: 'Carla en B',
    });
    const searched = await list('search=carla', token, B);
    expect(searched.body.items.map((c: { id: string }) => c.id)).toEqual([convB]);
    const aSearch = await list('search=carla');
    expect(aSearch.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    const anon = await api.http().get(`/api/v1/conversations/${id}`);
    expect(anon.status).toBe(401);
  });

  it('windowOpen: true after a fresh inbound, false when the last one is over 24 h old', async () => {
    const freshPhone = '+59170000707';
    await send(freshPhone, 'recién llegado', { name: 'Nuevo' });
    const fresh = await prisma.conversation.findUniqueOrThrow({
      where: { servicePointId_customerPhone: { servicePointId: A, customerPhone: freshPhone } },
    });
    const res = await get(`/api/v1/conversations/${fresh.id}`);
    expect(res.body).toMatchObject({ windowOpen: true, unreadCount: 1, customerName: 'Nuevo' });
    expect(Date.now() - new Date(res.body.lastInboundAt).getTime()).toBeLessThan(60_000);

    const stalePhone = '+59170000808';
    const staleAt = new Date(Date.now() - 25 * 3600_000);
    await send(stalePhone, 'de ayer', { name: 'Antiguo', at: staleAt });
    const stale = await prisma.conversation.findUniqueOrThrow({
      where: { servicePointId_customerPhone: { servicePointId: A, customerPhone: stalePhone } },
    });
    const old = await get(`/api/v1/conversations/${stale.id}`);
    expect(old.body).toMatchObject({ windowOpen: false, lastInboundAt: staleAt.toISOString() });
    // The oldest activity is last in the list.
    const items = (await list()).body.items;
    expect(items[items.length - 1].id).toBe(stale.id);
    expect(items[0].id).toBe(fresh.id);
  });
});
