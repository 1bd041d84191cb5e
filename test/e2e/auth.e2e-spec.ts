import {
  addMember,
  adminLogin,
  auth,
  bootApi,
  createPoint,
  createUser,
  login,
  TestApi,
  unique,
} from '../support/api';
import { TEST_ADMIN } from '../support/test-env';
import { signJwt } from '../support/tokens';

describe('auth: login, me, tokens, API keys', () => {
  let api: TestApi;
  let admin: string;

  beforeAll(async () => {
    api = await bootApi();
    admin = await adminLogin(api);
  });
  afterAll(() => api.close());

  it('logs in with the first admin created from ADMIN_EMAIL / ADMIN_PASSWORD', async () => {
    const res = await api
      .http()
      .post('/api/v1/auth/login')
      .send({ email: TEST_ADMIN.email.toUpperCase(), password: TEST_ADMIN.password });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 3600,
      user: { email: TEST_ADMIN.email, role: 'ADMIN' },
    });
    expect(res.body.accessToken.split('.')).toHaveLength(3);
    expect(res.body.user.passwordHash).toBeUndefined();
  });

  it('answers a wrong password and an unknown user the same way', async () => {
    const wrong = await api
      .http()
      .post('/api/v1/auth/login')
      .send({ email: TEST_ADMIN.email, password: 'nope-nope' });
    const unknown = await api
      .http()
      .post('/api/v1/auth/login')
      .send({ email: `${unique('ghost')}@e2e.test`, password: 'nope-nope' });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        statusCode: 401,
        error: 'invalid_credentials',
        message: 'E-mail or password is wrong',
      });
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
    }
  });

  it('me returns the caller with memberships', async () => {
    const point = await createPoint(api, admin);
    const agent = await createUser(api, admin);
    await addMember(api, admin, point.id, agent.id, 'MANAGER');
    const res = await api.http().get('/api/v1/auth/me').set(auth(agent.token));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: agent.id,
      email: agent.email,
      role: 'AGENT',
      memberships: [{ servicePointId: point.id, role: 'MANAGER' }],
    });
  });

  it('rejects missing, expired, forged and malformed tokens with 401', async () => {
    const me = await api.http().get('/api/v1/auth/me').set(auth(admin));
    const secret = process.env.JWT_SECRET as string;
    const now = Math.floor(Date.now() / 1000);
    const expired = signJwt(
      { sub: me.body.id, role: 'ADMIN', iat: now - 7200, exp: now - 3600 },
      secret,
    );
    const forged = signJwt(
      { sub: me.body.id, role: 'ADMIN', iat: now, exp: now + 3600 },
      'another-secret-another-secret-another-secret',
    );
    const none = await api.http().get('/api/v1/auth/me');
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('unauthorized');
    for (const token of [expired, forged, 'not.a.jwt', 'garbage']) {
      const res = await api.http().get('/api/v1/auth/me').set(auth(token));
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_token');
    }
  });

  it("a deleted user's token stops working at once", async () => {
    const user = await createUser(api, admin);
    expect((await api.http().get('/api/v1/auth/me').set(auth(user.token))).status).toBe(200);
    expect((await api.http().delete(`/api/v1/users/${user.id}`).set(auth(admin))).status).toBe(204);
    const res = await api.http().get('/api/v1/auth/me').set(auth(user.token));
    expect(res.status).toBe(401);
  });

  it('a new password replaces the old one', async () => {
    const user = await createUser(api, admin);
    const res = await api
      .http()
      .patch(`/api/v1/users/${user.id}`)
      .set(auth(admin))
      .send({ password: 'a-brand-new-password' });
    expect(res.status).toBe(200);
    expect(
      (
        await api
          .http()
          .post('/api/v1/auth/login')
          .send({ email: user.email, password: user.password })
      ).status,
    ).toBe(401);
    await expect(login(api, user.email, 'a-brand-new-password')).resolves.toEqual(
      expect.any(String),
    );
  });

  it('API keys: shown once, stored hashed, act with their role and points, deletable', async () => {
    const point = await createPoint(api, admin);
    const created = await api
      .http()
      .post('/api/v1/api-keys')
      .set(auth(admin))
      .send({ name: 'n8n', role: 'AGENT', servicePointIds: [point.id] });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^bdj_[A-Za-z0-9_-]{40,}$/);
    const list = await api.http().get('/api/v1/api-keys?limit=200').set(auth(admin));
    const listed = list.body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(listed).toMatchObject({
      name: 'n8n',
      role: 'AGENT',
      prefix: created.body.key.slice(0, 12),
    });
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);

    const me = await api.http().get('/api/v1/auth/me').set('X-Api-Key', created.body.key);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      kind: 'apiKey',
      role: 'AGENT',
      memberships: [{ servicePointId: point.id, role: 'AGENT' }],
    });

    expect((await api.http().get('/api/v1/auth/me').set('X-Api-Key', 'bdj_wrong')).body.error).toBe(
      'invalid_api_key',
    );
    expect(
      (await api.http().delete(`/api/v1/api-keys/${created.body.id}`).set(auth(admin))).status,
    ).toBe(204);
    expect(
      (await api.http().get('/api/v1/auth/me').set('X-Api-Key', created.body.key)).status,
    ).toBe(401);
    expect(
      (await api.http().delete(`/api/v1/api-keys/${created.body.id}`).set(auth(admin))).status,
    ).toBe(404);
  });

  it('a MANAGER or AGENT key needs at least one point, and only existing ones', async () => {
    const none = await api
      .http()
      .post('/api/v1/api-keys')
      .set(auth(admin))
      .send({ name: 'k', role: 'MANAGER' });
    expect(none.status).toBe(400);
    expect(none.body.error).toBe('validation_failed');
    const ghost = await api
      .http()
      .post('/api/v1/api-keys')
      .set(auth(admin))
      .send({
        name: 'k',
        role: 'MANAGER',
        servicePointIds: ['00000000-0000-4000-8000-000000000000'],
      });
    expect(ghost.status).toBe(404);
  });

  it('refuses to delete yourself or the last admin', async () => {
    const me = await api.http().get('/api/v1/auth/me').set(auth(admin));
    const self = await api.http().delete(`/api/v1/users/${me.body.id}`).set(auth(admin));
    expect(self.status).toBe(409);
    expect(self.body.error).toBe('cannot_delete_self');
  });

  it('rejects a duplicate e-mail with 409 email_taken, whatever its case', async () => {
    const user = await createUser(api, admin);
    const res = await api.http().post('/api/v1/users').set(auth(admin)).send({
      email: user.email.toUpperCase(),
      password: 'password-123',
      name: 'Dup',
      role: 'AGENT',
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('email_taken');
  });
});

describe('auth: login rate limit', () => {
  let api: TestApi;
  // Its own Redis prefix, so the failures here do not count against other tests' logins.
  beforeAll(async () => {
    api = await bootApi({ REDIS_PREFIX: `${process.env.REDIS_PREFIX}-ratelimit` });
  });
  afterAll(() => api.close());

  it('answers 429 with Retry-After after 5 failures, even to the right password', async () => {
    const admin = await adminLogin(api);
    const user = await createUser(api, admin);
    for (let i = 0; i < 5; i++) {
      const res = await api
        .http()
        .post('/api/v1/auth/login')
        .send({ email: user.email, password: `wrong-${i}` });
      expect(res.status).toBe(401);
    }
    const blocked = await api
      .http()
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: user.password });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toBe('rate_limited');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another account from the same address is not locked out by this one.
    const other = await createUser(api, admin);
    await expect(login(api, other.email, other.password)).resolves.toEqual(expect.any(String));
  });
});
