import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AdminBootstrapService } from '@bandeja/auth';
import { loadConfig } from '@bandeja/core';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { SessionManager, SocketFactory } from '@bandeja/whatsapp';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { TEST_ADMIN } from './test-env';

export interface TestApi {
  app: INestApplication;
  baseUrl: string;
  /** A supertest agent bound to the real listening socket. */
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

/** Boots the real api (same bootstrap as production) on a random local port. */
export async function bootApi(env: Record<string, string> = {}): Promise<TestApi> {
  const config = loadConfig({ ...process.env, ...env });
  const app = await createApiApp(config, { logs: false });
  await app.listen(0, '127.0.0.1');
  await app.get(AdminBootstrapService).run();
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return { app, baseUrl, http: () => request(baseUrl), close: () => app.close() };
}

export function unique(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

export async function login(api: TestApi, email: string, password: string): Promise<string> {
  const res = await api.http().post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200)
    throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken as string;
}

export function adminLogin(api: TestApi): Promise<string> {
  return login(api, TEST_ADMIN.email, TEST_ADMIN.password);
}

export const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

export async function createUser(
  api: TestApi,
  adminToken: string,
  role: 'ADMIN' | 'AGENT' = 'AGENT',
): Promise<{ id: string; email: string; password: string; token: string }> {
  const email = `${unique('user')}@e2e.test`;
  const password = 'password-123';
  const res = await api
    .http()
    .post('/api/v1/users')
    .set(auth(adminToken))
    .send({ email, password, name: 'Test User', role });
  if (res.status !== 201)
    throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, email, password, token: await login(api, email, password) };
}

export async function createPoint(
  api: TestApi,
  adminToken: string,
  body: Record<string, unknown> = {},
): Promise<{ id: string }> {
  const res = await api
    .http()
    .post('/api/v1/service-points')
    .set(auth(adminToken))
    .send({ name: unique('Sucursal'), provider: 'SIMULATOR', ...body });
  if (res.status !== 201)
    throw new Error(`create point failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function addMember(
  api: TestApi,
  token: string,
  pointId: string,
  userId: string,
  role: 'MANAGER' | 'AGENT',
) {
  const res = await api
    .http()
    .put(`/api/v1/service-points/${pointId}/members/${userId}`)
    .set(auth(token))
    .send({ role });
  if (res.status !== 200)
    throw new Error(`add member failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Boots the real worker (sessions, processors) in this process; tests may pass a fake socket. */
export async function bootWorker(
  env: Record<string, string> = {},
  options: { socketFactory?: SocketFactory } = {},
): Promise<{ ctx: INestApplicationContext; manager: SessionManager; close: () => Promise<void> }> {
  const config = loadConfig({ ...process.env, ...env });
  const ctx = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, options), {
    logger: false,
  });
  await ctx.init();
  return { ctx, manager: ctx.get(SessionManager), close: () => ctx.close() };
}

/** Polls `fn` until it returns a truthy value, or fails after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Waits until the worker's session of a point reports `state` (the simulator connects at once). */
export function sessionInState(
  worker: { manager: SessionManager },
  pointId: string,
  state = 'CONNECTED',
): Promise<boolean> {
  return eventually(
    async () => worker.manager.get(pointId)?.status().state === state,
    5000,
    `session of ${pointId} ${state}`,
  );
}

/** Connects a point's session over HTTP and waits until the api reports it CONNECTED. */
export async function connectSession(api: TestApi, token: string, pointId: string) {
  await api
    .http()
    .post(`/api/v1/service-points/${pointId}/whatsapp/connect`)
    .set(auth(token))
    .expect(202);
  await eventually(
    async () =>
      (await api.http().get(`/api/v1/service-points/${pointId}/whatsapp`).set(auth(token))).body
        .state === 'CONNECTED',
    5000,
    `session of ${pointId} connected`,
  );
}

/** Disconnects a point's session over HTTP and waits until the api reports it STOPPED. */
export async function disconnectSession(api: TestApi, token: string, pointId: string) {
  await api
    .http()
    .post(`/api/v1/service-points/${pointId}/whatsapp/disconnect`)
    .set(auth(token))
    .expect(202);
  await eventually(
    async () =>
      (await api.http().get(`/api/v1/service-points/${pointId}/whatsapp`).set(auth(token))).body
        .state === 'STOPPED',
    5000,
    `session of ${pointId} stopped`,
  );
}
