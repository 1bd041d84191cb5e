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
import { openSse, SseEvent } from '../support/sse';

/** GET /api/v1/events: live events across processes, only of the caller's points, replayable. */
describe('live events (SSE)', () => {
  const env = { REDIS_PREFIX: `${process.env.REDIS_PREFIX}-events`, WA_START_STAGGER_MS: '0' };
  let api: TestApi;
  let worker: Awaited<ReturnType<typeof bootWorker>>;
  let admin: string;
  let A: string;
  let B: string;
  let agentA: { id: string; token: string };
  let agentB: { id: string; token: string };

  const inbound = (point: string, from: string, text: string) =>
    api
      .http()
      .post(`/api/v1/service-points/${point}/simulator/inbound`)
      .set(auth(admin))
      .send({ from, text })
      .expect(202);
  const ofPoint = (events: SseEvent[], point: string) =>
    events.filter((e) => (e.data as { servicePointId?: string }).servicePointId === point);

  beforeAll(async () => {
    api = await bootApi(env);
    worker = await bootWorker(env);
    admin = await adminLogin(api);
    A = (await createPoint(api, admin, { provider: 'SIMULATOR' })).id;
    B = (await createPoint(api, admin, { provider: 'SIMULATOR' })).id;
    agentA = await createUser(api, admin);
    agentB = await createUser(api, admin);
    await addMember(api, admin, A, agentA.id, 'AGENT');
    await addMember(api, admin, B, agentB.id, 'AGENT');
    for (const point of [A, B]) {
      await sessionInState(worker, point);
    }
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  it("streams a point's message and conversation events to its members only", async () => {
    const a = openSse(`${api.baseUrl}/api/v1/events`, auth(agentA.token));
    const b = openSse(`${api.baseUrl}/api/v1/events`, auth(agentB.token));
    await eventually(async () => a.status() === 200 && b.status() === 200, 5000, 'streams open');
    await new Promise((r) => setTimeout(r, 200));
    await inbound(A, '+59171110001', 'hola desde A');
    const types = await eventually(
      async () => {
        const t = a.events.map(
          (e) =>
            `${e.event}:${(e.data as { senderType?: string; status?: string }).senderType ?? ''}:${(e.data as { status?: string }).status ?? ''}`,
        );
        return t.includes('message.updated:BOT:SENT') ? t : null;
      },
      10000,
      "A's bot reply SENT on A's stream",
    );
    expect(types).toEqual(
      expect.arrayContaining([
        'message.created:CUSTOMER:RECEIVED',
        'message.created:BOT:PENDING',
        'message.updated:BOT:SENT',
      ]),
    );
    expect(a.events.some((e) => e.event === 'conversation.updated')).toBe(true);
    expect(a.events.every((e) => /^\d+-\d+$/.test(e.id ?? ''))).toBe(true);

    await inbound(B, '+59172220002', 'hola desde B');
    await eventually(
      async () => ofPoint(b.events, B).some((e) => e.event === 'message.updated'),
      10000,
      "B's own events",
    );
    // Never the other point's.
    expect(ofPoint(b.events, A)).toEqual([]);
    expect(ofPoint(a.events, B)).toEqual([]);
    a.close();
    b.close();
  });

  it('whatsapp.state reaches the point’s members', async () => {
    const a = openSse(`${api.baseUrl}/api/v1/events`, auth(agentA.token));
    const b = openSse(`${api.baseUrl}/api/v1/events`, auth(agentB.token));
    await eventually(async () => a.status() === 200 && b.status() === 200, 5000, 'streams open');
    await new Promise((r) => setTimeout(r, 200));
    await api
      .http()
      .post(`/api/v1/service-points/${A}/whatsapp/disconnect`)
      .set(auth(agentA.token))
      .expect(202);
    const state = await eventually(
      async () => a.events.find((e) => e.event === 'whatsapp.state'),
      10000,
      'whatsapp.state',
    );
    expect(state.data).toMatchObject({ servicePointId: A, state: 'STOPPED', connected: false });
    await new Promise((r) => setTimeout(r, 300));
    expect(b.events.filter((e) => e.event === 'whatsapp.state')).toEqual([]);
    await api
      .http()
      .post(`/api/v1/service-points/${A}/whatsapp/connect`)
      .set(auth(agentA.token))
      .expect(202);
    await sessionInState(worker, A);
    a.close();
    b.close();
  });

  it('a client reconnecting with Last-Event-ID receives what it missed, once', async () => {
    const first = openSse(`${api.baseUrl}/api/v1/events`, auth(agentA.token));
    await eventually(async () => first.status() === 200, 5000, 'stream open');
    await new Promise((r) => setTimeout(r, 200));
    await inbound(A, '+59171110003', 'antes del corte');
    const seen = await eventually(
      async () => first.events.find((e) => e.event === 'message.created'),
      10000,
      'first event',
    );
    first.close();
    await inbound(A, '+59171110004', 'durante el corte');
    await new Promise((r) => setTimeout(r, 500));
    const again = openSse(`${api.baseUrl}/api/v1/events`, {
      ...auth(agentA.token),
      'Last-Event-ID': seen.id!,
    });
    const missed = await eventually(
      async () =>
        again.events.find(
          (e) =>
            e.event === 'message.created' &&
            (e.data as { content?: string }).content === 'durante el corte',
        ),
      10000,
      'replayed event',
    );
    expect(missed.id! > seen.id!).toBe(true);
    const ids = again.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(again.events.some((e) => e.id === seen.id)).toBe(false);
    again.close();
  });

  it('without credentials the stream is 401', async () => {
    const res = await api.http().get('/api/v1/events');
    expect(res.status).toBe(401);
  });
});
