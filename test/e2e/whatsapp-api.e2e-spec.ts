import { AUTH_STATE_STORE, AuthStateStore } from '@bandeja/whatsapp';
import { createFakeSocketFactory } from '@bandeja/whatsapp/testing/fake-socket';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { openSse } from '../support/sse';

/**
 * The contract's WhatsApp routes over real HTTP, with the api and a worker (sessions) as they run
 * in production, talking through Redis; Baileys replaced by a fake socket the test drives.
 */
describe('WhatsApp session API', () => {
  const authDir = mkdtempSync(join(tmpdir(), 'bandeja-wa-'));
  const env = {
    REDIS_PREFIX: `${process.env.REDIS_PREFIX}-wa`,
    BAILEYS_AUTH_DIR: authDir,
    WA_START_STAGGER_MS: '0',
    WA_BACKOFF_BASE_MS: '100',
  };
  const fakes = createFakeSocketFactory();
  let api: TestApi;
  let worker: Awaited<ReturnType<typeof bootWorker>>;
  let admin: string;
  let member: { id: string; token: string };
  let outsider: { id: string; token: string };
  let pointId: string;

  const path = (suffix = '') => `/api/v1/service-points/${pointId}/whatsapp${suffix}`;
  const status = async (token = admin) => (await api.http().get(path()).set(auth(token))).body;
  const latestSocket = () => fakes.byPoint(pointId).at(-1)!;

  beforeAll(async () => {
    api = await bootApi(env);
    worker = await bootWorker(env, { socketFactory: fakes.factory });
    admin = await adminLogin(api);
    member = await createUser(api, admin);
    outsider = await createUser(api, admin);
    pointId = (await createPoint(api, admin, { provider: 'BAILEYS', name: unique('Baileys') })).id;
    await addMember(api, admin, pointId, member.id, 'AGENT');
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
    rmSync(authDir, { recursive: true, force: true });
  });

  it('a new BAILEYS point is STOPPED and honest about it', async () => {
    const body = await status();
    expect(body).toMatchObject({
      state: 'STOPPED',
      connected: false,
      canSendMessages: false,
      needsQr: false,
      phoneNumber: null,
    });
    expect(body.recommendedAction).toContain('Connect');
    const qr = await api.http().get(path('/qr')).set(auth(admin));
    expect(qr.status).toBe(409);
    expect(qr.body).toMatchObject({ error: 'qr_not_available', details: { state: 'STOPPED' } });
  });

  it('connect → QR as JSON and PNG, SSE carries qr then state, then CONNECTED', async () => {
    const sse = openSse(`${api.baseUrl}${path('/events')}`, auth(member.token));
    await eventually(async () => sse.events.length > 0, 5000, 'initial SSE state');
    expect(sse.status()).toBe(200);
    expect(sse.contentType()).toContain('text/event-stream');
    expect(sse.events[0]).toMatchObject({
      event: 'state',
      data: { servicePointId: pointId, state: 'STOPPED' },
    });

    const connect = await api.http().post(path('/connect')).set(auth(member.token));
    expect(connect.status).toBe(202);
    const sock = await eventually(async () => fakes.byPoint(pointId)[0], 5000, 'a socket');
    sock.emitQr('2@fake-qr-payload,AbCdEf==,GhIj==');
    const qrStatus = await eventually(
      async () => ((await status()).state === 'QR_REQUIRED' ? await status() : null),
      5000,
      'QR_REQUIRED',
    );
    expect(qrStatus).toMatchObject({ needsQr: true, connected: false, canSendMessages: false });
    expect(qrStatus.recommendedAction).toMatch(/Scan the QR code within \d+ seconds/);
    expect(new Date(qrStatus.lastQrAt).getTime()).toBeGreaterThan(Date.now() - 10000);

    const json = await api.http().get(path('/qr')).set(auth(member.token));
    expect(json.status).toBe(200);
    expect(json.body.qr).toBe('2@fake-qr-payload,AbCdEf==,GhIj==');
    expect(json.body.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(new Date(json.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 30000);

    const png = await api
      .http()
      .get(path('/qr'))
      .set(auth(member.token))
      .set('Accept', 'image/png')
      .buffer(true);
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect((png.body as Buffer).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');

    // The phone scans: Baileys saves the paired identity, then the connection opens.
    sock.pair('59170001234:7@s.whatsapp.net');
    sock.open('59170001234:7@s.whatsapp.net');
    const connected = await eventually(
      async () => ((await status()).state === 'CONNECTED' ? await status() : null),
      5000,
      'CONNECTED',
    );
    expect(connected).toMatchObject({
      connected: true,
      canSendMessages: true,
      needsQr: false,
      phoneNumber: '+59170001234',
      lastError: null,
    });

    await eventually(
      async () =>
        sse.events.some(
          (e) => e.event === 'state' && (e.data as { state: string }).state === 'CONNECTED',
        ),
      5000,
      'SSE CONNECTED',
    );
    sse.close();
    const kinds = sse.events.map((e) =>
      e.event === 'qr' ? 'qr' : `state:${(e.data as { state: string }).state}`,
    );
    const qrAt = kinds.indexOf('qr');
    expect(qrAt).toBeGreaterThan(0);
    expect(kinds.indexOf('state:CONNECTED')).toBeGreaterThan(qrAt);
    expect(sse.events.find((e) => e.event === 'qr')?.data).toMatchObject({
      servicePointId: pointId,
      qr: '2@fake-qr-payload,AbCdEf==,GhIj==',
    });

    const already = await api.http().get(path('/qr')).set(auth(admin));
    expect(already.status).toBe(409);
    expect(already.body.error).toBe('already_connected');
    const row = await api.http().get(`/api/v1/service-points/${pointId}`).set(auth(admin));
    expect(row.body).toMatchObject({ whatsappStatus: 'CONNECTED', phoneNumber: '+59170001234' });
  });

  it('disconnect closes the socket and keeps credentials; connect resumes without a QR', async () => {
    const sock = latestSocket();
    const res = await api.http().post(path('/disconnect')).set(auth(member.token));
    expect(res.status).toBe(202);
    await eventually(async () => (await status()).state === 'STOPPED', 5000, 'STOPPED');
    expect(sock.ended).toBe(true);
    const store = worker.ctx.get<AuthStateStore>(AUTH_STATE_STORE);
    await eventually(async () => store.hasCredentials(pointId), 5000, 'credentials kept');
    const before = fakes.byPoint(pointId).length;
    await api.http().post(path('/connect')).set(auth(member.token)).expect(202);
    const next = await eventually(async () => fakes.byPoint(pointId)[before], 5000, 'a new socket');
    // The new socket runs on the stored pairing: no QR this time.
    expect(next.creds.me?.id).toBe('59170001234:7@s.whatsapp.net');
    next.open('59170001234:7@s.whatsapp.net');
    await eventually(async () => (await status()).state === 'CONNECTED', 5000, 'CONNECTED again');
    expect(next.qrs).toEqual([]);
  });

  it('logout unlinks and forgets: LOGGED_OUT, needs a QR', async () => {
    const sock = latestSocket();
    const res = await api.http().post(path('/logout')).set(auth(member.token));
    expect(res.status).toBe(202);
    const body = await eventually(
      async () => ((await status()).state === 'LOGGED_OUT' ? await status() : null),
      5000,
      'LOGGED_OUT',
    );
    expect(body).toMatchObject({ connected: false, canSendMessages: false, needsQr: true });
    expect(sock.loggedOut).toBe(true);
    const row = await api.http().get(`/api/v1/service-points/${pointId}`).set(auth(admin));
    expect(row.body.whatsappStatus).toBe('LOGGED_OUT');
    expect(await worker.ctx.get<AuthStateStore>(AUTH_STATE_STORE).hasCredentials(pointId)).toBe(
      false,
    );
  });

  it('only members reach a point’s session: others get 404 on every route', async () => {
    for (const [method, suffix] of [
      ['get', ''],
      ['post', '/connect'],
      ['get', '/qr'],
      ['post', '/logout'],
      ['post', '/disconnect'],
      ['get', '/events'],
    ] as const) {
      const res = await api.http()[method](path(suffix)).set(auth(outsider.token));
      expect([suffix, res.status, res.body.error]).toEqual([suffix, 404, 'not_found']);
    }
    expect((await api.http().get(path()).set(auth(member.token))).status).toBe(200);
    expect((await api.http().get(path())).status).toBe(401);
    expect(
      (await api.http().get('/api/v1/service-points/not-a-uuid/whatsapp').set(auth(admin))).status,
    ).toBe(400);
  });

  it('without a worker, connect is 503 worker_unavailable and status says nobody runs it', async () => {
    const lonely = await bootApi({ REDIS_PREFIX: `${process.env.REDIS_PREFIX}-noworker` });
    try {
      const token = await adminLogin(lonely);
      const point = await createPoint(lonely, token, { provider: 'BAILEYS' });
      const res = await lonely
        .http()
        .post(`/api/v1/service-points/${point.id}/whatsapp/connect`)
        .set(auth(token));
      expect(res.status).toBe(503);
      expect(res.body.error).toBe('worker_unavailable');
      const sim = await createPoint(lonely, token, { provider: 'SIMULATOR' });
      const simStatus = await lonely
        .http()
        .get(`/api/v1/service-points/${sim.id}/whatsapp`)
        .set(auth(token));
      expect(simStatus.body).toMatchObject({
        state: 'STOPPED',
        connected: false,
        canSendMessages: false,
        lastError: 'no_worker',
      });
    } finally {
      await lonely.close();
    }
  });
});
