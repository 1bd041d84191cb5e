import type { Response } from 'supertest';
import { adminLogin, auth, bootApi, createPoint, TestApi, unique } from '../support/api';

/** Bad input on the foundation's routes: the contract's 4xx, an error code, a request id, nothing stored. */
describe('validation and error bodies', () => {
  let api: TestApi;
  let admin: string;
  let pointId: string;

  beforeAll(async () => {
    api = await bootApi();
    admin = await adminLogin(api);
    pointId = (await createPoint(api, admin)).id;
  });
  afterAll(() => api.close());

  const expectError = (
    res: { status: number; body: Record<string, unknown>; headers: Record<string, string> },
    status: number,
    error: string,
  ) => {
    expect({ status: res.status, error: res.body.error }).toEqual({ status, error });
    expect(res.body.statusCode).toBe(status);
    expect(typeof res.body.message).toBe('string');
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  };

  it('missing fields → 400 validation_failed naming each field', async () => {
    const res = await api
      .http()
      .post('/api/v1/users')
      .set(auth(admin))
      .send({ email: 'x@e2e.test' });
    expectError(res, 400, 'validation_failed');
    const fields = (res.body.details as { field: string }[]).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['password', 'name', 'role']));
  });

  it('wrong types → 400 validation_failed', async () => {
    const res = await api
      .http()
      .post('/api/v1/service-points')
      .set(auth(admin))
      .send({ name: 42, provider: 'FAX', botEnabled: 'yes' });
    expectError(res, 400, 'validation_failed');
    const fields = (res.body.details as { field: string }[]).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'provider', 'botEnabled']));
  });

  it('nested objects are validated with dotted field names', async () => {
    const res = await api
      .http()
      .post('/api/v1/service-points')
      .set(auth(admin))
      .send({
        name: 'X',
        provider: 'SIMULATOR',
        timezone: 'Mars/Olympus',
        workingHours: { days: [0, 8], start: '25:00', end: '9' },
        followups: { inactivitySeconds: -1 },
      });
    expectError(res, 400, 'validation_failed');
    const fields = (res.body.details as { field: string }[]).map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'timezone',
        'workingHours.days',
        'workingHours.start',
        'workingHours.end',
        'followups.inactivitySeconds',
      ]),
    );
  });

  it('unknown fields are rejected, and nothing is stored', async () => {
    const tracking = unique('UNK').toUpperCase();
    const res = await api
      .http()
      .post('/api/v1/shipments')
      .set(auth(admin))
      .send({ servicePointId: pointId, trackingNumber: tracking, isAdmin: true });
    expectError(res, 400, 'validation_failed');
    expect(res.body.details).toEqual([
      { field: 'isAdmin', message: 'property isAdmin should not exist' },
    ]);
    const list = await api
      .http()
      .get(`/api/v1/shipments?trackingNumber=${tracking}`)
      .set(auth(admin));
    expect(list.body.items).toEqual([]);
  });

  it('malformed JSON → 400 malformed_json', async () => {
    const res = await api
      .http()
      .post('/api/v1/users')
      .set(auth(admin))
      .set('Content-Type', 'application/json')
      .send('{"email": ');
    expectError(res, 400, 'malformed_json');
  });

  it('a body over the limit → 413 payload_too_large', async () => {
    const res = await api
      .http()
      .post('/api/v1/faqs')
      .set(auth(admin))
      .send({ servicePointId: pointId, question: '¿Grande?', answer: 'x'.repeat(70 * 1024) });
    expectError(res, 413, 'payload_too_large');
  });

  it('oversized fields within the body limit → 400', async () => {
    const res = await api
      .http()
      .post('/api/v1/faqs')
      .set(auth(admin))
      .send({ servicePointId: pointId, question: 'q'.repeat(501), answer: 'a' });
    expectError(res, 400, 'validation_failed');
  });

  it('query parameters are validated: limit, cursor, ids, enums', async () => {
    expectError(
      await api.http().get('/api/v1/shipments?limit=500').set(auth(admin)),
      400,
      'validation_failed',
    );
    expectError(
      await api.http().get('/api/v1/shipments?limit=abc').set(auth(admin)),
      400,
      'validation_failed',
    );
    expectError(
      await api.http().get('/api/v1/shipments?cursor=garbage').set(auth(admin)),
      400,
      'invalid_cursor',
    );
    expectError(
      await api.http().get('/api/v1/shipments?servicePointId=nope').set(auth(admin)),
      400,
      'validation_failed',
    );
    expectError(
      await api.http().get('/api/v1/shipments?status=LOST').set(auth(admin)),
      400,
      'validation_failed',
    );
    expectError(
      await api.http().get('/api/v1/shipments?sort=evil').set(auth(admin)),
      400,
      'validation_failed',
    );
  });

  it('tracking numbers are unique per point after normalization → 409', async () => {
    const base = unique('LP').toUpperCase().replace(/-/g, '');
    const first = await api
      .http()
      .post('/api/v1/shipments')
      .set(auth(admin))
      .send({ servicePointId: pointId, trackingNumber: `${base}-001` });
    expect(first.status).toBe(201);
    const again = await api
      .http()
      .post('/api/v1/shipments')
      .set(auth(admin))
      .send({ servicePointId: pointId, trackingNumber: ` ${base.toLowerCase()} 001 ` });
    expectError(again, 409, 'tracking_number_taken');
    // The same number in another point is a different shipment.
    const other = await createPoint(api, admin);
    const elsewhere = await api
      .http()
      .post('/api/v1/shipments')
      .set(auth(admin))
      .send({ servicePointId: other.id, trackingNumber: `${base}001` });
    expect(elsewhere.status).toBe(201);
    const found = await api
      .http()
      .get(`/api/v1/shipments?servicePointId=${pointId}&trackingNumber=${base.toLowerCase()}--001`)
      .set(auth(admin));
    expect(found.body.items.map((s: { id: string }) => s.id)).toEqual([first.body.id]);
  });

  it('keyset pagination walks every row once', async () => {
    const point = await createPoint(api, admin);
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await api
        .http()
        .post('/api/v1/shipments')
        .set(auth(admin))
        .send({ servicePointId: point.id, trackingNumber: `PG${i}X${Date.now()}` });
      created.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await api
        .http()
        .get(
          `/api/v1/shipments?servicePointId=${point.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        )
        .set(auth(admin));
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((s: { id: string }) => s.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...created].sort());
  });

  it('the webhook secret is write-only', async () => {
    const res = await api
      .http()
      .post('/api/v1/service-points')
      .set(auth(admin))
      .send({
        name: 'Con webhook',
        provider: 'BAILEYS',
        followups: { webhookUrl: 'http://127.0.0.1:9/hook', webhookSecret: 'super-secret-value' },
      });
    expect(res.status).toBe(201);
    expect(JSON.stringify(res.body)).not.toContain('super-secret-value');
    expect(res.body).toMatchObject({
      provider: 'BAILEYS',
      whatsappStatus: 'STOPPED',
      timezone: 'America/La_Paz',
      workingHours: { days: [1, 2, 3, 4, 5, 6], start: '09:00', end: '22:00' },
      followups: {
        enabled: false,
        inactivitySeconds: 600,
        reminderOffsetsSeconds: [86400, 259200, 604800],
        summaryThreshold: 3,
        webhookUrl: 'http://127.0.0.1:9/hook',
        webhookSecretSet: true,
      },
    });
    const patched = await api
      .http()
      .patch(`/api/v1/service-points/${res.body.id}`)
      .set(auth(admin))
      .send({ followups: { inactivitySeconds: 120 } });
    expect(patched.body.followups).toMatchObject({
      inactivitySeconds: 120,
      webhookUrl: 'http://127.0.0.1:9/hook',
      webhookSecretSet: true,
    });
  });

  it('unknown routes → 404 not_found in the contract body', async () => {
    expectError(await api.http().get('/api/v1/nothing-here').set(auth(admin)), 404, 'not_found');
  });

  it('client input never produces a 5xx', async () => {
    const bodies = [
      null,
      [],
      'text',
      123,
      { email: { $gt: '' } },
      { email: 'a@b.c', password: ['x'] },
      { email: 'a'.repeat(10000) },
    ];
    for (const body of bodies) {
      const res = await api
        .http()
        .post('/api/v1/auth/login')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(body));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});

describe('operations: metrics, docs, readiness without Redis', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await bootApi();
  });
  afterAll(() => api.close());

  it('/metrics exposes the HTTP histogram by route pattern and process metrics', async () => {
    await api.http().get('/health/live');
    await api.http().get('/api/v1/service-points/00000000-0000-4000-8000-000000000000');
    const res = await api.http().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('bandeja_http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/route="\/health\/live",status="200"/);
    expect(res.text).toMatch(/route="\/api\/v1\/service-points\/:id",status="401"/);
    expect(res.text).toContain('bandeja_process_cpu_user_seconds_total');
  });

  it('/docs serves Swagger UI and /docs-json the OpenAPI document generated from the code', async () => {
    const ui = await api.http().get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
    const doc = await api.http().get('/docs-json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/users/{id}',
      '/api/v1/service-points/{id}/members/{userId}',
      '/api/v1/shipments',
      '/api/v1/faqs/{id}',
      '/api/v1/api-keys',
    ]) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
    expect(doc.body.components.schemas.CreateServicePointDto.required).toEqual(
      expect.arrayContaining(['name', 'provider']),
    );
  });

  it('/health/ready is 503 naming Redis when Redis is unreachable', async () => {
    const broken = await bootApi({ REDIS_URL: 'redis://127.0.0.1:1/0' });
    try {
      const res = await broken.http().get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        statusCode: 503,
        error: 'dependency_unavailable',
        details: { database: { status: 'up' }, redis: { status: 'down' } },
      });
      expect(res.body.message).toContain('redis');
      expect((await broken.http().get('/health/live')).status).toBe(200);
    } finally {
      await broken.close();
    }
  });

  it('/health/ready is 503 naming the database when Postgres is unreachable', async () => {
    const broken = await bootApi({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none' }).catch(
      (err: Error) => err,
    );
    // The first-admin check needs the database, so booting must survive its absence.
    expect(broken).not.toBeInstanceOf(Error);
    const app = broken as TestApi;
    try {
      const res = await app.http().get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body.details).toMatchObject({
        database: { status: 'down' },
        redis: { status: 'up' },
      });
    } finally {
      await app.close();
    }
  });
});
