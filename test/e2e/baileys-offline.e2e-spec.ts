import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminLogin,
  auth,
  bootApi,
  bootWorker,
  createPoint,
  eventually,
  TestApi,
} from '../support/api';

/**
 * The REAL Baileys socket on a machine without internet: it cannot reach WhatsApp, closes at
 * once, and the point must say so (DISCONNECTED, backing off) while the process stays healthy.
 */
describe('real Baileys without network', () => {
  const authDir = mkdtempSync(join(tmpdir(), 'bandeja-offline-'));
  const env = {
    REDIS_PREFIX: `${process.env.REDIS_PREFIX}-offline`,
    BAILEYS_AUTH_DIR: authDir,
    WA_START_STAGGER_MS: '0',
    WA_BACKOFF_BASE_MS: '2000',
  };
  let api: TestApi;
  let worker: Awaited<ReturnType<typeof bootWorker>>;

  beforeAll(async () => {
    api = await bootApi(env);
    worker = await bootWorker(env);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
    rmSync(authDir, { recursive: true, force: true });
  });

  it('goes to DISCONNECTED with a backoff recommendation, and nothing crashes', async () => {
    const admin = await adminLogin(api);
    const point = await createPoint(api, admin, { provider: 'BAILEYS' });
    await api
      .http()
      .post(`/api/v1/service-points/${point.id}/whatsapp/connect`)
      .set(auth(admin))
      .expect(202);
    const status = await eventually(
      async () => {
        const body = (
          await api.http().get(`/api/v1/service-points/${point.id}/whatsapp`).set(auth(admin))
        ).body;
        return body.state === 'DISCONNECTED' ? body : null;
      },
      20000,
      'DISCONNECTED',
    );
    expect(status).toMatchObject({ connected: false, canSendMessages: false, needsQr: false });
    expect(status.attempt).toBeGreaterThanOrEqual(1);
    expect(status.recommendedAction).toMatch(/^Reconnecting \(attempt \d+ of \d+, next in \d+ s\)/);
    expect(status.lastError).toEqual(expect.any(String));
    expect(new Date(status.nextRetryAt).getTime()).toBeGreaterThan(Date.now() - 1000);
    expect((await api.http().get('/health/live')).status).toBe(200);
    expect((await api.http().get('/health/ready')).status).toBe(200);
    // The session object is alive in the worker and keeps trying rather than giving up at once.
    expect(worker.manager.get(point.id)?.status().state).toMatch(
      /DISCONNECTED|CONNECTING|INITIALIZING/,
    );
  }, 30000);
});
