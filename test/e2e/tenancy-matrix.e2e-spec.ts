import {
  addMember,
  adminLogin,
  auth,
  bootApi,
  createPoint,
  createUser,
  TestApi,
  unique,
} from '../support/api';
import { signJwt } from '../support/tokens';

/**
 * Every route of the foundation, called as each kind of caller, against the contract's status:
 * admins everything; members by role inside their point; a foreign point's resources are 404
 * (never data); no or bad credentials 401.
 */
type Caller = 'admin' | 'managerA' | 'agentA' | 'agentB' | 'keyA' | 'none' | 'expired' | 'forged';
const CALLERS: Caller[] = [
  'admin',
  'managerA',
  'agentA',
  'agentB',
  'keyA',
  'none',
  'expired',
  'forged',
];
type Expect = Partial<Record<Caller, number>>;

interface Row {
  name: string;
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** Path, or a function that prepares a fresh target for this caller and returns the path. */
  path: (caller: Caller) => string | Promise<string>;
  body?: (caller: Caller) => object;
  expect: Expect;
}

const UNAUTH: Expect = { none: 401, expired: 401, forged: 401 };

describe('tenancy matrix', () => {
  let api: TestApi;
  const headers = {} as Record<Caller, Record<string, string>>;
  let A: string;
  let B: string;
  let shipA: string;
  let faqA: string;
  let faqGlobal: string;
  let spare: string;
  let agentAId: string;
  let adminToken: string;

  const call = async (method: Row['method'], path: string, caller: Caller, body?: object) => {
    let req = api.http()[method](path).set(headers[caller]);
    if (body) req = req.send(body);
    return req;
  };
  const asAdmin = (method: Row['method'], path: string, body?: object) =>
    call(method, path, 'admin', body);

  const freshShipment = async () => {
    const res = await asAdmin('post', '/api/v1/shipments', {
      servicePointId: A,
      trackingNumber: unique('TMP').toUpperCase(),
    });
    return res.body.id as string;
  };
  const freshFaq = async () => {
    const res = await asAdmin('post', '/api/v1/faqs', {
      servicePointId: A,
      question: '¿Temporal?',
      answer: 'Sí',
    });
    return res.body.id as string;
  };

  beforeAll(async () => {
    api = await bootApi();
    adminToken = await adminLogin(api);
    A = (await createPoint(api, adminToken, { name: unique('Punto A') })).id;
    B = (await createPoint(api, adminToken, { name: unique('Punto B') })).id;
    const managerA = await createUser(api, adminToken);
    const agentA = await createUser(api, adminToken);
    const agentB = await createUser(api, adminToken);
    agentAId = agentA.id;
    spare = (await createUser(api, adminToken)).id;
    await addMember(api, adminToken, A, managerA.id, 'MANAGER');
    await addMember(api, adminToken, A, agentA.id, 'AGENT');
    await addMember(api, adminToken, B, agentB.id, 'AGENT');
    const key = await api
      .http()
      .post('/api/v1/api-keys')
      .set(auth(adminToken))
      .send({ name: 'scoped to A', role: 'MANAGER', servicePointIds: [A] });
    const now = Math.floor(Date.now() / 1000);
    const secret = process.env.JWT_SECRET as string;
    Object.assign(headers, {
      admin: auth(adminToken),
      managerA: auth(managerA.token),
      agentA: auth(agentA.token),
      agentB: auth(agentB.token),
      keyA: { 'X-Api-Key': key.body.key },
      none: {},
      expired: auth(
        signJwt({ sub: managerA.id, role: 'AGENT', iat: now - 7200, exp: now - 60 }, secret),
      ),
      forged: auth(
        signJwt({ sub: managerA.id, role: 'ADMIN', iat: now, exp: now + 600 }, `${secret}-not`),
      ),
    });
    shipA = (
      await asAdmin('post', '/api/v1/shipments', {
        servicePointId: A,
        trackingNumber: unique('LPA').toUpperCase(),
        status: 'IN_TRANSIT',
      })
    ).body.id;
    await asAdmin('post', '/api/v1/shipments', {
      servicePointId: B,
      trackingNumber: unique('LPB').toUpperCase(),
    });
    faqA = (
      await asAdmin('post', '/api/v1/faqs', {
        servicePointId: A,
        question: '¿Horario de A?',
        answer: '9 a 18',
      })
    ).body.id;
    await asAdmin('post', '/api/v1/faqs', {
      servicePointId: B,
      question: '¿Horario de B?',
      answer: '10 a 20',
    });
    faqGlobal = (
      await asAdmin('post', '/api/v1/faqs', {
        question: '¿Qué es Bandeja?',
        answer: 'Una bandeja de entrada.',
      })
    ).body.id;
  });
  afterAll(() => api.close());

  const member = (
    admin: number,
    managerA: number,
    agentA: number,
    agentB: number,
    keyA: number,
  ): Expect => ({
    admin,
    managerA,
    agentA,
    agentB,
    keyA,
    ...UNAUTH,
  });

  const rows: Row[] = [
    {
      name: 'GET /auth/me',
      method: 'get',
      path: () => '/api/v1/auth/me',
      expect: member(200, 200, 200, 200, 200),
    },
    {
      name: 'GET /users',
      method: 'get',
      path: () => '/api/v1/users',
      expect: member(200, 403, 403, 403, 403),
    },
    {
      name: 'POST /users',
      method: 'post',
      path: () => '/api/v1/users',
      body: () => ({
        email: `${unique('m')}@e2e.test`,
        password: 'password-123',
        name: 'M',
        role: 'AGENT',
      }),
      expect: member(201, 403, 403, 403, 403),
    },
    {
      name: 'GET /users/:id',
      method: 'get',
      path: () => `/api/v1/users/${agentAId}`,
      expect: member(200, 403, 403, 403, 403),
    },
    {
      name: 'PATCH /users/:id',
      method: 'patch',
      path: () => `/api/v1/users/${agentAId}`,
      body: () => ({ name: 'Agente A' }),
      expect: member(200, 403, 403, 403, 403),
    },
    {
      name: 'DELETE /users/:id',
      method: 'delete',
      path: async () => `/api/v1/users/${(await createUser(api, adminToken)).id}`,
      expect: member(204, 403, 403, 403, 403),
    },
    {
      name: 'GET /api-keys',
      method: 'get',
      path: () => '/api/v1/api-keys',
      expect: member(200, 403, 403, 403, 403),
    },
    {
      name: 'POST /api-keys',
      method: 'post',
      path: () => '/api/v1/api-keys',
      body: () => ({ name: 'k', role: 'AGENT', servicePointIds: [A] }),
      expect: member(201, 403, 403, 403, 403),
    },
    {
      name: 'DELETE /api-keys/:id',
      method: 'delete',
      path: async () =>
        `/api/v1/api-keys/${(await asAdmin('post', '/api/v1/api-keys', { name: 'tmp', role: 'ADMIN' })).body.id}`,
      expect: member(204, 403, 403, 403, 403),
    },
    {
      name: 'POST /service-points',
      method: 'post',
      path: () => '/api/v1/service-points',
      body: () => ({ name: unique('Nuevo'), provider: 'SIMULATOR' }),
      expect: member(201, 403, 403, 403, 403),
    },
    {
      name: 'GET /service-points',
      method: 'get',
      path: () => '/api/v1/service-points',
      expect: member(200, 200, 200, 200, 200),
    },
    {
      name: 'GET /service-points/:A',
      method: 'get',
      path: () => `/api/v1/service-points/${A}`,
      expect: member(200, 200, 200, 404, 200),
    },
    {
      name: 'PATCH /service-points/:A',
      method: 'patch',
      path: () => `/api/v1/service-points/${A}`,
      body: () => ({ botEnabled: true }),
      expect: member(200, 200, 403, 404, 200),
    },
    {
      name: 'DELETE /service-points/:id',
      method: 'delete',
      // Admins delete a throwaway point; everyone else aims at A itself.
      path: async (c) =>
        `/api/v1/service-points/${c === 'admin' ? (await createPoint(api, adminToken)).id : A}`,
      expect: member(204, 403, 403, 404, 403),
    },
    {
      name: 'GET /service-points/:A/members',
      method: 'get',
      path: () => `/api/v1/service-points/${A}/members`,
      expect: member(200, 200, 200, 404, 200),
    },
    {
      name: 'PUT /service-points/:A/members/:userId',
      method: 'put',
      path: () => `/api/v1/service-points/${A}/members/${spare}`,
      body: () => ({ role: 'AGENT' }),
      expect: member(200, 200, 403, 404, 200),
    },
    {
      name: 'DELETE /service-points/:A/members/:userId',
      method: 'delete',
      path: async () => {
        await asAdmin('put', `/api/v1/service-points/${A}/members/${spare}`, { role: 'AGENT' });
        return `/api/v1/service-points/${A}/members/${spare}`;
      },
      expect: member(204, 204, 403, 404, 204),
    },
    {
      name: 'POST /shipments (A)',
      method: 'post',
      path: () => '/api/v1/shipments',
      body: () => ({ servicePointId: A, trackingNumber: unique('NEW').toUpperCase() }),
      expect: member(201, 201, 403, 404, 201),
    },
    {
      name: 'GET /shipments',
      method: 'get',
      path: () => '/api/v1/shipments',
      expect: member(200, 200, 200, 200, 200),
    },
    {
      name: 'GET /shipments?servicePointId=A',
      method: 'get',
      path: () => `/api/v1/shipments?servicePointId=${A}`,
      expect: member(200, 200, 200, 404, 200),
    },
    {
      name: 'GET /shipments/:id (A)',
      method: 'get',
      path: () => `/api/v1/shipments/${shipA}`,
      expect: member(200, 200, 200, 404, 200),
    },
    {
      name: 'PATCH /shipments/:id (A)',
      method: 'patch',
      path: () => `/api/v1/shipments/${shipA}`,
      body: () => ({ status: 'OUT_FOR_DELIVERY' }),
      expect: member(200, 200, 403, 404, 200),
    },
    {
      name: 'DELETE /shipments/:id (A)',
      method: 'delete',
      path: async () => `/api/v1/shipments/${await freshShipment()}`,
      expect: member(204, 204, 403, 404, 204),
    },
    {
      name: 'POST /faqs (A)',
      method: 'post',
      path: () => '/api/v1/faqs',
      body: () => ({
        servicePointId: A,
        question: '¿Pregunta?',
        answer: 'Respuesta',
        keywords: ['x'],
      }),
      expect: member(201, 201, 403, 404, 201),
    },
    {
      name: 'POST /faqs (global)',
      method: 'post',
      path: () => '/api/v1/faqs',
      body: () => ({ servicePointId: null, question: '¿Global?', answer: 'Sí' }),
      expect: member(201, 403, 403, 403, 403),
    },
    {
      name: 'GET /faqs',
      method: 'get',
      path: () => '/api/v1/faqs',
      expect: member(200, 200, 200, 200, 200),
    },
    {
      name: 'GET /faqs/:id (A)',
      method: 'get',
      path: () => `/api/v1/faqs/${faqA}`,
      expect: member(200, 200, 200, 404, 200),
    },
    {
      name: 'GET /faqs/:id (global)',
      method: 'get',
      path: () => `/api/v1/faqs/${faqGlobal}`,
      expect: member(200, 200, 200, 200, 200),
    },
    {
      name: 'PATCH /faqs/:id (A)',
      method: 'patch',
      path: () => `/api/v1/faqs/${faqA}`,
      body: () => ({ answer: 'De 9 a 18 h' }),
      expect: member(200, 200, 403, 404, 200),
    },
    {
      name: 'PATCH /faqs/:id (global)',
      method: 'patch',
      path: () => `/api/v1/faqs/${faqGlobal}`,
      body: () => ({ keywords: ['bandeja'] }),
      expect: member(200, 403, 403, 403, 403),
    },
    {
      name: 'DELETE /faqs/:id (A)',
      method: 'delete',
      path: async () => `/api/v1/faqs/${await freshFaq()}`,
      expect: member(204, 204, 403, 404, 204),
    },
  ];

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const problems: string[] = [];
    for (const caller of CALLERS) {
      const expected = row.expect[caller];
      if (expected === undefined) continue;
      const res = await call(row.method, await row.path(caller), caller, row.body?.(caller));
      if (res.status !== expected) {
        problems.push(
          `${caller}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`,
        );
        continue;
      }
      if (expected >= 400) {
        // The contract's error body, and for a foreign point nothing but "not found".
        if (
          res.body.statusCode !== expected ||
          typeof res.body.error !== 'string' ||
          res.body.requestId !== res.headers['x-request-id']
        ) {
          problems.push(`${caller}: malformed error body ${JSON.stringify(res.body)}`);
        }
        if (
          expected === 404 &&
          (res.body.error !== 'not_found' ||
            Object.keys(res.body).some(
              (k) => !['statusCode', 'error', 'message', 'requestId'].includes(k),
            ))
        ) {
          problems.push(`${caller}: 404 leaks more than not_found: ${JSON.stringify(res.body)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('lists show each caller only its points', async () => {
    const ids = async (caller: Caller, path: string, field: string) => {
      const res = await call('get', `${path}?limit=200`, caller);
      expect(res.status).toBe(200);
      return new Set((res.body.items as Record<string, string | null>[]).map((i) => i[field]));
    };
    const pointsB = await ids('agentB', '/api/v1/service-points', 'id');
    expect([...pointsB]).toEqual([B]);
    const pointsKey = await ids('keyA', '/api/v1/service-points', 'id');
    expect([...pointsKey]).toEqual([A]);
    expect(await ids('agentB', '/api/v1/shipments', 'servicePointId')).toEqual(new Set([B]));
    expect(await ids('agentA', '/api/v1/shipments', 'servicePointId')).toEqual(new Set([A]));
    const faqPointsB = await ids('agentB', '/api/v1/faqs', 'servicePointId');
    expect(faqPointsB.has(A)).toBe(false);
    expect(faqPointsB.has(B)).toBe(true);
    expect(faqPointsB.has(null)).toBe(true);
    const pointsAdmin = await ids('admin', '/api/v1/service-points', 'id');
    expect(pointsAdmin.has(A) && pointsAdmin.has(B)).toBe(true);
  });

  it('a point or resource id that does not exist is 404 for everyone, a malformed one 400', async () => {
    const ghost = '00000000-0000-4000-8000-000000000000';
    for (const caller of ['admin', 'agentA'] as Caller[]) {
      for (const path of [
        `/api/v1/service-points/${ghost}`,
        `/api/v1/shipments/${ghost}`,
        `/api/v1/faqs/${ghost}`,
        `/api/v1/service-points/${ghost}/members`,
      ]) {
        const res = await call('get', path, caller);
        expect([path, caller, res.status, res.body.error]).toEqual([
          path,
          caller,
          404,
          'not_found',
        ]);
      }
    }
    const bad = await call('get', '/api/v1/shipments/not-a-uuid', 'admin');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'validation_failed', details: [{ field: 'id' }] });
  });

  it('the queue dashboard is for admins only', async () => {
    expect((await call('get', '/admin/queues', 'admin')).status).toBe(200);
    expect((await call('get', '/admin/queues', 'agentA')).status).toBe(403);
    const anonymous = await call('get', '/admin/queues', 'none');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toContain('Basic');
    const basic = await api
      .http()
      .get('/admin/queues')
      .set(
        'Authorization',
        `Basic ${Buffer.from(`${process.env.ADMIN_EMAIL}:${process.env.ADMIN_PASSWORD}`).toString('base64')}`,
      );
    expect(basic.status).toBe(200);
    expect(basic.text).toContain('<html');
  });
});
