import { loadConfig } from './app-config';
const m = { DATABASE_URL: 'postgresql://x/y', REDIS_URL: 'redis://x', JWT_SECRET: 'x'.repeat(32) };
it('probe', () => {
  for (const k of ['PORT', 'SWAGGER_ENABLED', 'LOG_LEVEL', 'HOST', 'NODE_ENV', 'DEFAULT_TIMEZONE', 'BODY_LIMIT_BYTES', 'REDIS_PREFIX']) {
    try { const c = loadConfig({ ...m, [k]: '' }) as any; console.log(k, 'ok', JSON.stringify(c[k])); } catch (e: any) { console.log(k, 'ERR', JSON.stringify(e.problems)); }
  }
  for (const v of ['maybe', ' 80', '0x50', '1e3', '']) {
    try { const c = loadConfig({ ...m, PORT: v, SWAGGER_ENABLED: v }) as any; console.log(JSON.stringify(v), c.PORT, c.SWAGGER_ENABLED); } catch (e: any) { console.log(v, 'ERR', JSON.stringify(e.problems)); }
  }
});
