// bench/sessions: N points (default 500) with fake Baileys sockets in one worker's
// SessionManager: how long until every session is CONNECTED, and heap per session.
//
//   npm run build && node --expose-gc bench/sessions.mts
//   BENCH_POINTS=500 node --expose-gc bench/sessions.mts
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pg from 'pg';
import { createStack, destroyStack, log, ROOT } from './lib.mts';

const POINTS = Number(process.env.BENCH_POINTS ?? 500);
const require = createRequire(import.meta.url);
const dist = (p: string) => require(join(ROOT, 'dist/apps/worker', p));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const stack = await createStack('sessions');
const results: Record<string, unknown> = { points: POINTS, node: process.version };
try {
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  const ids = Array.from({ length: POINTS }, () => randomUUID());
  await db.query(
    `INSERT INTO "ServicePoint" (id, name, provider, timezone, "workingHours", followups, "whatsappAutoStart", "createdAt", "updatedAt")
     SELECT id, 'Punto ' || n, 'BAILEYS', 'America/La_Paz', '{"days":[1,2,3,4,5],"start":"09:00","end":"18:00"}', '{}', true, now(), now()
     FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [ids],
  );
  await db.end();

  Object.assign(process.env, stack.env, {
    WA_START_STAGGER_MS: '0',
    BAILEYS_AUTH_DIR: join(ROOT, `.bench-auth-${Date.now()}`),
  });
  const { NestFactory } = require('@nestjs/core');
  const { WorkerModule } = dist('apps/worker/src/worker.module.js');
  const { loadConfig } = dist('libs/core/src/index.js');
  const { SessionManager } = dist('libs/whatsapp/src/index.js');
  const { createFakeSocketFactory } = dist('libs/whatsapp/src/testing/fake-socket.js');
  // A paired phone: every socket opens right after it is created, as with stored credentials.
  const fakes = createFakeSocketFactory((sock: { open(jid: string): void }) =>
    setImmediate(() => sock.open('59170000000:1@s.whatsapp.net')),
  );

  const before = heap();
  const started = performance.now();
  const ctx = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(loadConfig(process.env), { socketFactory: fakes.factory }),
    { logger: false },
  );
  await ctx.init();
  const manager = ctx.get(SessionManager);
  await manager.whenStarted();
  const connectedAll = async () =>
    ids.every((id) => manager.get(id)?.status().state === 'CONNECTED');
  while (!(await connectedAll())) await new Promise((r) => setTimeout(r, 20));
  const elapsed = performance.now() - started;
  // Let status snapshots and row updates settle before weighing the heap.
  await new Promise((r) => setTimeout(r, 2000));
  const after = heap();
  results.startupMs = Math.round(elapsed);
  results.startsPerSecond = Math.round(POINTS / (elapsed / 1000));
  results.heapPerSessionKiB = Number(((after - before) / POINTS / 1024).toFixed(1));
  results.heapTotalMiB = Number((after / 1024 / 1024).toFixed(1));
  results.staggerNote =
    'with the default WA_START_STAGGER_MS=250 the boot spreads over POINTS × 250 ms on purpose';
  log(JSON.stringify(results));
  await ctx.close();
} finally {
  await destroyStack(stack);
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
