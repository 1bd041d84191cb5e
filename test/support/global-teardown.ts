import IORedis from 'ioredis';
import { Client } from 'pg';
import { adminDatabaseUrl } from './test-env';

/** Drops this run's database and deletes only this run's Redis keys. */
export default async function globalTeardown(): Promise<void> {
  const dbName = process.env.E2E_DB_NAME;
  const prefix = process.env.REDIS_PREFIX;
  if (process.env.E2E_KEEP_DB !== '1' && dbName) {
    const admin = new Client({ connectionString: adminDatabaseUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
  if (prefix) {
    const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', {
      lazyConnect: true,
    });
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  }
}
