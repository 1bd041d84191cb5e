/**
 * The environment every e2e test shares. global-setup fills the per-run values (database,
 * Redis prefix) into process.env before Jest starts its workers, which inherit them.
 */
export const TEST_ADMIN = { email: 'admin@e2e.test', password: 'e2e-admin-password' };

export const BASE_TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  JWT_SECRET: 'e2e-jwt-secret-that-is-long-enough-0123456789',
  ADMIN_EMAIL: TEST_ADMIN.email,
  ADMIN_PASSWORD: TEST_ADMIN.password,
  LOG_LEVEL: 'silent',
  LOGIN_MAX_ATTEMPTS: '5',
  LOGIN_WINDOW_SECONDS: '900',
  BODY_LIMIT_BYTES: String(64 * 1024),
  HOST: '127.0.0.1',
  PORT: '0',
};

export function adminDatabaseUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
}
