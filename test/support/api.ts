import type { INestApplication } from '@nestjs/common';
import { AdminBootstrapService } from '@bandeja/auth';
import { loadConfig } from '@bandeja/core';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApiApp } from '../../apps/api/src/bootstrap';
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
