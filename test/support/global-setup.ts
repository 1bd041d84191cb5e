import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { adminDatabaseUrl, BASE_TEST_ENV, testRedisUrl } from './test-env';

/** Creates a fresh database for this run and applies the migrations with the real CLI. */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  const dbName = `bandeja_e2e_${runId}`;
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();

  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${dbName}`;
  Object.assign(process.env, BASE_TEST_ENV, {
    DATABASE_URL: url.toString(),
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: `bandeja-e2e-${runId}`,
    E2E_DB_NAME: dbName,
  });
  execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'migrate', 'deploy'], {
    env: process.env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
