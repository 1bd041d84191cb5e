// bench/followups: follow-ups at scale (issue #6). The real LeadStateService / FollowupScheduler /
// FollowupsWorker from dist run in-process (Nest application contexts with CoreModule and the
// follow-ups modules) against a scratch Postgres database and a scratch Redis prefix.
//
//   npm run build && node bench/followups.mts
//   BENCH_CONVERSATIONS=100000 BENCH_POINTS=10 BENCH_CONCURRENCY=32 \
//   BENCH_STORM_CONVERSATIONS=4000 BENCH_STORM_ROUNDS=3 \
//   BENCH_FIRE_ITEMS=3000 BENCH_FIRE_SPREAD_MS=3000 node bench/followups.mts
//
// (a) schedule: one customerActivity per conversation (first message: lead upsert + a ping),
// (b) storm: repeated activity on conversations that already have a ping (cancel + reschedule),
// (d) Redis: memory per conversation once every conversation has its delayed ping job,
// (c) firing: items due within a few seconds, fired by the real followups worker, webhooks
//     received by a local HTTP receiver; lag = received (or lastPingAt) − scheduledAt.
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis as IORedis } from 'ioredis';
import pg from 'pg';
import { createStack, destroyStack, log, percentile, ROOT } from './lib.mts';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 100_000);
const POINTS = Number(process.env.BENCH_POINTS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const STORM_CONVERSATIONS = Math.min(
  CONVERSATIONS,
  Number(process.env.BENCH_STORM_CONVERSATIONS ?? 4000),
);
const STORM_ROUNDS = Number(process.env.BENCH_STORM_ROUNDS ?? 3);
const FIRE_ITEMS = Number(process.env.BENCH_FIRE_ITEMS ?? 3000);
const FIRE_SPREAD_MS = Number(process.env.BENCH_FIRE_SPREAD_MS ?? 3000);
const FIRE_TIMEOUT_MS = Number(process.env.BENCH_FIRE_TIMEOUT_MS ?? 180_000);
const SECRET = 'bench-followups-secret';
const require = createRequire(import.meta.url);
const dist = (p: string) => require(join(ROOT, 'dist/apps/worker', p));

interface CustomerActivity {
  servicePointId: string;
  conversationId: string;
  messageId: string;
  at: Date;
}
interface LeadStateService {
  customerActivity(activity: CustomerActivity): Promise<void>;
}
interface FollowupScheduler {
  schedule(item: {
    conversationId: string;
    servicePointId: string;
    kind: string;
    scheduledAt: Date;
    dependent: boolean;
  }): Promise<{ id: string; scheduledAt: Date }>;
}
interface FollowupsWorker {
  initialRepair: Promise<void>;
}
interface Ctx {
  init(): Promise<unknown>;
  close(): Promise<void>;
  get<T>(token: unknown): T;
}
interface Conversation {
  id: string;
  servicePointId: string;
}

const round1 = (v: number) => Number(v.toFixed(1));
const summary = (ms: number[]) => {
  ms.sort((a, b) => a - b);
  return {
    p50Ms: round1(percentile(ms, 50)),
    p95Ms: round1(percentile(ms, 95)),
    p99Ms: round1(percentile(ms, 99)),
    maxMs: round1(ms[ms.length - 1]),
  };
};

/**
 * Runs `lanes` concurrent lanes; lane j does its own list in order. Callers put every activity of
 * one conversation in the same lane, so a conversation is never touched twice at once (the
 * pipeline processes one conversation at a time, in message order).
 */
async function runLanes<T>(
  lanes: T[][],
  fn: (item: T) => Promise<void>,
): Promise<{ elapsedMs: number; latencies: number[] }> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    lanes.map(async (lane) => {
      for (const item of lane) {
        const t = performance.now();
        await fn(item);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { elapsedMs: performance.now() - started, latencies };
}

function lanesOf<T>(items: T[], count: number): T[][] {
  const lanes: T[][] = Array.from({ length: count }, () => []);
  items.forEach((item, i) => lanes[i % count].push(item));
  return lanes;
}

// Redis is shared with whatever else runs on the box, so its commands are counted here, as this
// process (the app's ioredis clients, BullMQ's included) sends them; a Lua script counts as one.
let redisCommandsSent = 0;
const sendCommand = IORedis.prototype.sendCommand;
IORedis.prototype.sendCommand = function (this: IORedis, ...args: Parameters<typeof sendCommand>) {
  redisCommandsSent++;
  return sendCommand.apply(this, args);
};

// Postgres statements the same way: every query sent on a pg client of this process (Prisma's
// driver adapter included), minus the bench's own.
let pgQueriesSent = 0;
const pgQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  pgQueriesSent++;
  return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pgQuery;

function counters() {
  return {
    pgQueries: pgQueriesSent,
    redisCommands: redisCommandsSent,
    cpu: process.cpuUsage(),
    wall: performance.now(),
  };
}
type Counters = ReturnType<typeof counters>;
/** Per-operation cost between two counter snapshots (taken with no bench query in between). */
const costs = (from: Counters, to: Counters, operations: number) => ({
  postgresStatementsPerOp: round1((to.pgQueries - from.pgQueries) / operations),
  redisCommandsPerOp: round1((to.redisCommands - from.redisCommands) / operations),
  benchProcessCpuShareOfOneCore: Number(
    (
      (to.cpu.user + to.cpu.system - from.cpu.user - from.cpu.system) /
      1000 /
      (to.wall - from.wall)
    ).toFixed(2),
  ),
});

const usedMemory = async (redis: IORedis) =>
  Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? NaN);

/** MEMORY USAGE summed over every key of the prefix, grouped by kind of key. */
async function prefixMemory(redis: IORedis, prefix: string) {
  const groups: Record<string, { keys: number; bytes: number }> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
    cursor = next;
    if (keys.length === 0) continue;
    const pipe = redis.pipeline();
    for (const key of keys) pipe.memory('USAGE', key, 'SAMPLES', '0');
    const sizes = (await pipe.exec()) ?? [];
    keys.forEach((key, i) => {
      const rest = key.slice(prefix.length + 1);
      const group = /:fu_/.test(rest)
        ? 'followups job hashes (fu_<id>)'
        : rest.replace(/:wh_.*$/, ':wh_<id>');
      const g = (groups[group] ??= { keys: 0, bytes: 0 });
      g.keys++;
      g.bytes += Number(sizes[i]?.[1] ?? 0);
    });
  } while (cursor !== '0');
  return groups;
}

const stack = await createStack('followups');
const results: Record<string, unknown> = {
  node: process.version,
  conversations: CONVERSATIONS,
  points: POINTS,
  concurrency: CONCURRENCY,
};
const redis = new IORedis(stack.env.REDIS_URL);
const received: { at: number; scheduledAt: number; deliveryId: string; signed: boolean }[] = [];
const receiver = createServer((req, res) => {
  let raw = '';
  req.on('data', (c: Buffer) => (raw += c.toString()));
  req.on('end', () => {
    const at = Date.now();
    const body = JSON.parse(raw) as { scheduledAt: string; deliveryId: string };
    const expected = `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
    received.push({
      at,
      scheduledAt: Date.parse(body.scheduledAt),
      deliveryId: body.deliveryId,
      signed: req.headers['x-bandeja-signature'] === expected,
    });
    res.writeHead(200).end('ok');
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
let ctx: Ctx | undefined;
try {
  // ---- setup (not measured): points and conversations in bulk through pg ----
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  const pointIds = Array.from({ length: POINTS }, () => randomUUID());
  // Activity points: realistic hours in La Paz and a 24 h inactivity, so no ping fires here.
  await db.query(
    `INSERT INTO "ServicePoint" (id, name, provider, timezone, "workingHours", followups, "createdAt", "updatedAt")
     SELECT id, 'Punto ' || n, 'SIMULATOR', 'America/La_Paz',
            '{"days":[1,2,3,4,5,6],"start":"09:00","end":"22:00"}',
            '{"enabled":true,"inactivitySeconds":86400,"reminderOffsetsSeconds":[86400,259200,604800],"summaryThreshold":3,"webhookUrl":null}',
            now(), now()
     FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [pointIds],
  );
  const { rows: conversations } = await db.query<Conversation>(
    `INSERT INTO "Conversation" (id, "servicePointId", "customerPhone", "customerName", "lastInboundAt", "updatedAt")
     SELECT gen_random_uuid(), ($1::uuid[])[1 + n % $2], '+591' || lpad(n::text, 8, '0'), 'Cliente ' || n, now(), now()
     FROM generate_series(1, $3) AS n
     RETURNING id, "servicePointId"`,
    [pointIds, POINTS, CONVERSATIONS],
  );
  // Firing point: open all day in UTC, so items fire when they are due; signed webhooks.
  const firePointId = randomUUID();
  await db.query(
    `INSERT INTO "ServicePoint" (id, name, provider, timezone, "workingHours", followups, "followupsWebhookSecret", "createdAt", "updatedAt")
     VALUES ($1, 'Punto Disparo', 'SIMULATOR', 'UTC', '{"days":[1,2,3,4,5,6,7],"start":"00:00","end":"00:00"}',
             $2, $3, now(), now())`,
    [
      firePointId,
      JSON.stringify({
        enabled: true,
        inactivitySeconds: 600,
        reminderOffsetsSeconds: [86400, 259200, 604800],
        summaryThreshold: 3,
        webhookUrl: hookUrl,
      }),
      SECRET,
    ],
  );
  const { rows: fireConversations } = await db.query<Conversation>(
    `INSERT INTO "Conversation" (id, "servicePointId", "customerPhone", "customerName", "lastInboundAt", "updatedAt")
     SELECT gen_random_uuid(), $1, '+592' || lpad(n::text, 8, '0'), 'Cliente ' || n, now(), now()
     FROM generate_series(1, $2) AS n
     RETURNING id, "servicePointId"`,
    [firePointId, FIRE_ITEMS],
  );
  await db.query('ANALYZE');
  // The box may be shared: note other benches' scratch databases and the load when we start.
  const { rows: others } = await db.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'bandeja_bench_%' AND datname <> current_database()`,
  );
  results.environment = {
    cpus: cpus().length,
    loadAverage1mAtStart: round1(loadavg()[0]),
    otherBenchDatabasesAtStart: others.length,
  };
  log(`setup: ${conversations.length} conversations in ${POINTS} points`);

  Object.assign(process.env, stack.env);
  const { NestFactory } = require('@nestjs/core');
  const { Module } = require('@nestjs/common');
  const { CoreModule, loadConfig, QueueFactory, QUEUES } = dist('libs/core/src/index.js');
  const {
    FollowupsModule,
    FollowupsWorkerModule,
    FollowupsWorker,
    LeadStateService,
    FollowupScheduler,
  } = dist('libs/followups/src/index.js');
  const config = loadConfig(process.env);
  const context = async (name: string, followups: unknown): Promise<Ctx> => {
    class BenchModule {}
    Module({
      imports: [CoreModule.forRoot(config, { name, withHttp: false }), followups],
    })(BenchModule);
    const c = (await NestFactory.createApplicationContext(BenchModule, {
      logger: ['error', 'warn'],
    })) as Ctx;
    await c.init();
    return c;
  };
  // The activity side only (as the pipeline worker has it); no followups worker running yet.
  ctx = await context('bench-followups', FollowupsModule);
  const leads = ctx.get<LeadStateService>(LeadStateService);
  const followupsQueue = ctx
    .get<{ get(name: string): { getDelayedCount(): Promise<number> } }>(QueueFactory)
    .get(QUEUES.followups);
  const activity = (c: Conversation) =>
    leads.customerActivity({
      conversationId: c.id,
      servicePointId: c.servicePointId,
      messageId: randomUUID(),
      at: new Date(),
    });
  const countItems = async (pointFilter = 'TRUE') =>
    Object.fromEntries(
      (
        await db.query<{ status: string; n: string }>(
          `SELECT status, count(*) AS n FROM "ScheduledItem" WHERE ${pointFilter} GROUP BY status`,
        )
      ).rows.map((r) => [r.status, Number(r.n)]),
    );

  // ---- (a) schedule a ping for every conversation (first customer message) ----
  const memBefore = await usedMemory(redis);
  const c0 = counters();
  const a = await runLanes(lanesOf(conversations, CONCURRENCY), activity);
  const c1 = counters();
  const memAfter = await usedMemory(redis);
  results.schedule = {
    activities: conversations.length,
    seconds: round1(a.elapsedMs / 1000),
    activitiesPerSecond: Math.round(conversations.length / (a.elapsedMs / 1000)),
    ...summary(a.latencies),
    ...costs(c0, c1, conversations.length),
    items: await countItems(),
    delayedJobs: await followupsQueue.getDelayedCount(),
  };
  log(`(a) ${JSON.stringify(results.schedule)}`);

  // ---- (d) Redis memory per conversation (each has one delayed ping job) ----
  const groups = await prefixMemory(redis, stack.redisPrefix);
  const prefixBytes = Object.values(groups).reduce((s, g) => s + g.bytes, 0);
  const pgBytes = Number(
    (
      await db.query<{ n: string }>(
        `SELECT pg_total_relation_size('"ScheduledItem"') + pg_total_relation_size('"LeadState"') AS n`,
      )
    ).rows[0].n,
  );
  results.redisMemory = {
    usedMemoryDeltaPerConversationBytes: Math.round((memAfter - memBefore) / conversations.length),
    memoryUsageOverPrefixPerConversationBytes: Math.round(prefixBytes / conversations.length),
    memoryUsageOverPrefixMiB: round1(prefixBytes / 1024 / 1024),
    byKey: Object.fromEntries(
      Object.entries(groups)
        .sort((x, y) => y[1].bytes - x[1].bytes)
        .slice(0, 6)
        .map(([k, g]) => [k, { keys: g.keys, KiB: round1(g.bytes / 1024) }]),
    ),
    postgresScheduledItemPlusLeadStatePerConversationBytes: Math.round(
      pgBytes / conversations.length,
    ),
  };
  log(`(d) ${JSON.stringify(results.redisMemory)}`);

  // ---- (b) activity storm: conversations that already have a ping get more messages ----
  const hot = conversations.slice(0, STORM_CONVERSATIONS);
  const stormLanes = lanesOf(hot, CONCURRENCY).map((lane) =>
    Array.from({ length: STORM_ROUNDS }, () => lane).flat(),
  );
  const c2 = counters();
  const b = await runLanes(stormLanes, activity);
  const c3 = counters();
  const stormActivities = hot.length * STORM_ROUNDS;
  results.storm = {
    conversations: hot.length,
    activities: stormActivities,
    seconds: round1(b.elapsedMs / 1000),
    activitiesPerSecond: Math.round(stormActivities / (b.elapsedMs / 1000)),
    ...summary(b.latencies),
    ...costs(c2, c3, stormActivities),
    items: await countItems(),
    delayedJobs: await followupsQueue.getDelayedCount(),
  };
  log(`(b) ${JSON.stringify(results.storm)}`);
  await ctx.close();
  ctx = undefined;

  // ---- (c) firing lag with the real followups worker ----
  // Booting it starts its repair sweep (every `scheduled` row checked for its job) over the
  // pings scheduled above, in the background, as a worker restart would in production.
  const bootStarted = performance.now();
  ctx = await context('bench-followups-worker', FollowupsWorkerModule);
  const workerBootMs = performance.now() - bootStarted;
  await ctx.get<FollowupsWorker>(FollowupsWorker).initialRepair;
  const workerBootWithRepairSweepMs = performance.now() - bootStarted;
  log(
    `(c) worker booted in ${Math.round(workerBootMs)} ms, its start-up repair done after ${Math.round(workerBootWithRepairSweepMs)} ms`,
  );
  const scheduler = ctx.get<FollowupScheduler>(FollowupScheduler);
  // Due times start after scheduling is surely over (at the rate measured in (a), ×2 + 2 s).
  const leadMs =
    Number(process.env.BENCH_FIRE_LEAD_MS) ||
    2000 + Math.ceil((2 * FIRE_ITEMS * a.elapsedMs) / conversations.length);
  const firstDue = Date.now() + leadMs;
  const ids: string[] = [];
  const scheduling = await runLanes(
    lanesOf(
      fireConversations.map((c, i) => ({ c, i })),
      CONCURRENCY,
    ),
    async ({ c, i }) => {
      const row = await scheduler.schedule({
        conversationId: c.id,
        servicePointId: c.servicePointId,
        kind: 'ping',
        scheduledAt: new Date(firstDue + Math.floor((i * FIRE_SPREAD_MS) / FIRE_ITEMS)),
        dependent: true,
      });
      ids.push(row.id);
    },
  );
  const slackMs = firstDue - Date.now();
  log(
    `(c) ${ids.length} items scheduled in ${Math.round(scheduling.elapsedMs)} ms, ${slackMs} ms before the first is due`,
  );
  const c4 = counters();
  const deadline = Date.now() + leadMs + FIRE_SPREAD_MS + FIRE_TIMEOUT_MS;
  while (new Set(received.map((r) => r.deliveryId)).size < FIRE_ITEMS && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  const unique = new Map(received.map((r) => [r.deliveryId, r]));
  const c5 = counters();
  const webhookLag = [...unique.values()].map((r) => r.at - r.scheduledAt);
  const { rows: fired } = await db.query<{ lag: string }>(
    `SELECT extract(epoch FROM (l."lastPingAt" - s."scheduledAt")) * 1000 AS lag
     FROM "ScheduledItem" s JOIN "LeadState" l ON l."conversationId" = s."conversationId"
     WHERE s."servicePointId" = $1 AND s.kind = 'ping' AND l."lastPingAt" IS NOT NULL`,
    [firePointId],
  );
  const lastReceived = Math.max(...[...unique.values()].map((r) => r.at));
  results.firing = {
    items: FIRE_ITEMS,
    dueWithinMs: FIRE_SPREAD_MS,
    schedulingSlackMs: slackMs,
    workerBootMs: Math.round(workerBootMs),
    workerBootWithRepairSweepMs: Math.round(workerBootWithRepairSweepMs),
    fired: fired.length,
    webhooksReceived: unique.size,
    duplicates: received.length - unique.size,
    badSignatures: received.filter((r) => !r.signed).length,
    fireLag: summary(fired.map((r) => Number(r.lag))),
    webhookLag: summary(webhookLag),
    lastWebhookAfterLastDueMs: lastReceived - (firstDue + FIRE_SPREAD_MS),
    firesPerSecondFirstDueToLastWebhook: Math.round(
      unique.size / ((lastReceived - firstDue) / 1000),
    ),
    // Per item, fire + webhook delivery + its 3 reminders scheduled (sweep/idle polling included).
    ...costs(c4, c5, unique.size),
    itemsOfFiringPoint: await countItems(`"servicePointId" = '${firePointId}'`),
  };
  log(`(c) ${JSON.stringify(results.firing)}`);
  (results.environment as Record<string, unknown>).loadAverage5mAtEnd = round1(loadavg()[1]);
  await db.end();
  await ctx.close();
  ctx = undefined;
} finally {
  await ctx?.close().catch(() => undefined);
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  await redis.quit();
  await destroyStack(stack);
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
