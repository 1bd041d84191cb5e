// bench/pipeline: sustained inbound msg/s through the whole path (Simulator in → stored → bot
// reply → SENT), latency accepted→SENT, the raw Postgres ceiling for the same rows in the same
// run, and the inbox list p95 at 100k conversations / 1M messages.
//
//   npm run build && node bench/pipeline.mts
//   BENCH_MESSAGES=20000 BENCH_CONCURRENCY=64 BENCH_CUSTOMERS=2000 BENCH_LIST_CONVERSATIONS=100000 node bench/pipeline.mts
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { cpus } from 'node:os';
import pg from 'pg';
import { api, createStack, destroyStack, log, percentile, startProcess, waitFor } from './lib.mts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 2000);
const LIST_CONVERSATIONS = Number(process.env.BENCH_LIST_CONVERSATIONS ?? 100000);
const LIST_MESSAGES_PER_CONVERSATION = Number(
  process.env.BENCH_LIST_MESSAGES_PER_CONVERSATION ?? 10,
);
const FOLLOWUPS = process.env.BENCH_FOLLOWUPS !== '0';
// BENCH_PROCESSES=1: api and worker in one process (`npm run start:all`), as a small install runs.
const SINGLE_PROCESS = process.env.BENCH_PROCESSES === '1';
const PORT = 3900 + Math.floor(Math.random() * 50);
const BASE = `http://127.0.0.1:${PORT}`;

const stack = await createStack('pipeline');
// api and worker hold up to 2 × DATABASE_POOL_SIZE (20) connections; stay under max_connections.
const RAW_CONCURRENCY = Math.min(CONCURRENCY, 40);
const db = new pg.Pool({ connectionString: stack.databaseUrl, max: RAW_CONCURRENCY });
const results: Record<string, unknown> = {
  cpus: cpus().length,
  node: process.version,
  messages: MESSAGES,
  concurrency: CONCURRENCY,
  customers: CUSTOMERS,
  followups: FOLLOWUPS,
  processes: SINGLE_PROCESS ? 1 : 2,
};
try {
  if (SINGLE_PROCESS) {
    startProcess(stack, 'api', { PORT: String(PORT) }, ['--with-worker']);
  } else {
    startProcess(stack, 'api', { PORT: String(PORT) });
    startProcess(stack, 'worker');
  }
  await waitFor(async () => (await api(BASE, '/health/ready')).status === 200, 30000, 'api ready');
  const token = await waitFor(
    async () => {
      const res = await api(BASE, '/api/v1/auth/login', {
        method: 'POST',
        body: { email: 'bench@bench.local', password: 'bench-password' },
      });
      return res.status === 200 ? (res.body.accessToken as string) : null;
    },
    30000,
    'login',
  );
  const point = await api(BASE, '/api/v1/service-points', {
    method: 'POST',
    token,
    // Follow-ups on (the per-message activity hook does its full work) unless BENCH_FOLLOWUPS=0.
    body: {
      name: 'Bench',
      provider: 'SIMULATOR',
      followups: { enabled: FOLLOWUPS, inactivitySeconds: 600 },
    },
  });
  const pointId = point.body.id as string;
  await waitFor(
    async () =>
      (await api(BASE, `/api/v1/service-points/${pointId}/whatsapp`, { token })).body.state ===
      'CONNECTED',
    30000,
    'simulator connected',
  );

  const phoneOf = (i: number) => `+5917${String(1000000 + (i % CUSTOMERS)).slice(-7)}`;
  // The load generator shares the two cores with what it measures, so it posts with node:http on
  // kept-alive sockets (about a third of the CPU per request of fetch).
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const inboundPath = `/api/v1/service-points/${pointId}/simulator/inbound`;
  const post = (body: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: PORT,
          path: inboundPath,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${token}`,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const sendOne = async (k: number) => {
    const res = await post(
      JSON.stringify({
        from: phoneOf(k),
        text: `mensaje ${k}`,
        providerMessageId: `bench-${k}-${randomUUID()}`,
      }),
    );
    if (res.status !== 202) throw new Error(`inbound answered ${res.status}: ${res.text}`);
  };
  // Closed loop: CONCURRENCY clients, each sending its next message as soon as one is accepted.
  const send = async (n: number, offset: number) => {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < n; i = next++) await sendOne(offset + i);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  // Open loop: one message every 1/rate s whatever the answers do (what customers do).
  const sendAtRate = async (rate: number, seconds: number, offset: number) => {
    const n = Math.round(rate * seconds);
    const t0 = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const wait = t0 + (i * 1000) / rate - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inflight.push(sendOne(offset + i));
    }
    await Promise.all(inflight);
    return n;
  };
  // Accepted → SENT per message: the k-th customer message of a conversation pairs with its k-th bot reply.
  // Only messages accepted since `since` count; pairs are numbered over all rows (every earlier
  // customer message has its reply), so earlier phases' rows need not be deleted.
  const latencies = async (since: Date) =>
    (
      await db.query(
        `
        WITH i AS (SELECT "conversationId", "createdAt", row_number() OVER (PARTITION BY "conversationId" ORDER BY "timestamp", "createdAt", id) AS k
                   FROM "Message" WHERE direction = 'IN'),
             o AS (SELECT "conversationId", "updatedAt", row_number() OVER (PARTITION BY "conversationId" ORDER BY "createdAt", id) AS k
                   FROM "Message" WHERE "senderType" = 'BOT' AND status = 'SENT')
        SELECT EXTRACT(EPOCH FROM (o."updatedAt" - i."createdAt")) * 1000 AS ms
        FROM i JOIN o USING ("conversationId", k) WHERE i."createdAt" >= $1`,
        [since],
      )
    ).rows
      .map((r) => Number(r.ms))
      .sort((a, b) => a - b);
  // Where the latency is: accepted → processed (queue + processing) and reply created → SENT.
  const breakdown = async (since: Date) => {
    const { rows } = await db.query(
      `
      WITH i AS (SELECT "conversationId", "createdAt", "processedAt", row_number() OVER (PARTITION BY "conversationId" ORDER BY "timestamp", "createdAt", id) AS k
                 FROM "Message" WHERE direction = 'IN'),
           o AS (SELECT "conversationId", "createdAt", "updatedAt", "sendAttempts", row_number() OVER (PARTITION BY "conversationId" ORDER BY "createdAt", id) AS k
                 FROM "Message" WHERE "senderType" = 'BOT' AND status = 'SENT')
      SELECT EXTRACT(EPOCH FROM (i."processedAt" - i."createdAt")) * 1000 AS processed,
             EXTRACT(EPOCH FROM (o."updatedAt" - o."createdAt")) * 1000 AS sending,
             o."sendAttempts" AS attempts
      FROM i JOIN o USING ("conversationId", k) WHERE i."createdAt" >= $1`,
      [since],
    );
    const sorted = (key: string) => rows.map((r) => Number(r[key])).sort((a, b) => a - b);
    return {
      acceptedToProcessedMs: summary(sorted('processed')),
      replyCreatedToSentMs: summary(sorted('sending')),
      repliesSentAfterRetry: rows.filter((r) => Number(r.attempts) > 1).length,
    };
  };
  const summary = (sorted: number[]) => ({
    p50: Math.round(percentile(sorted, 50)),
    p95: Math.round(percentile(sorted, 95)),
    p99: Math.round(percentile(sorted, 99)),
    samples: sorted.length,
  });
  const sentCount = async () =>
    Number(
      (
        await db.query(
          `SELECT count(*)::int AS n FROM "Message" WHERE "senderType" = 'BOT' AND "status" = 'SENT'`,
        )
      ).rows[0].n,
    );

  // Warm-up: every customer writes once, so the run meets the tables a live system has (its
  // conversations exist) and the planner's statistics describe them: ANALYZE here does what
  // autovacuum does by itself within its first minute (autovacuum_naptime). Without it, the run
  // is planned for the empty tables of a fresh database (Seq Scans of Conversation per batch).
  const warmup = Math.max(500, CUSTOMERS);
  log(`warm-up: ${warmup} messages, then ANALYZE`);
  await send(warmup, 0);
  await waitFor(async () => (await sentCount()) >= warmup, 120000, 'warm-up replies');
  await db.query('ANALYZE');
  const dbNow = async () => (await db.query('SELECT clock_timestamp() AS t')).rows[0].t as Date;

  log(`run: ${MESSAGES} messages, ${CONCURRENCY} concurrent clients, ${CUSTOMERS} customers`);
  const runSince = await dbNow();
  const runBase = await sentCount();
  const started = performance.now();
  await send(MESSAGES, 1_000_000);
  const accepted = performance.now();
  await waitFor(async () => (await sentCount()) >= runBase + MESSAGES, 600000, 'all replies SENT');
  const finished = performance.now();
  const endToEndPerSecond = Math.round(MESSAGES / ((finished - started) / 1000));
  results.pipeline = {
    acceptedPerSecond: Math.round(MESSAGES / ((accepted - started) / 1000)),
    endToEndPerSecond,
    // At saturation this is mostly the backlog's waiting time, not one message's path.
    latencyMs: summary(await latencies(runSince)),
  };
  log(`pipeline: ${JSON.stringify(results.pipeline)}`);

  // Latency below saturation: an open-loop load at a fixed rate (default half the sustained one).
  const rate = Number(process.env.BENCH_RATE ?? Math.max(10, Math.round(endToEndPerSecond / 2)));
  const rateSeconds = Number(process.env.BENCH_RATE_SECONDS ?? 20);
  log(`fixed rate: ${rate} msg/s for ${rateSeconds} s`);
  const rateSince = await dbNow();
  const rateBase = await sentCount();
  const sentAtRate = await sendAtRate(rate, rateSeconds, 2_000_000);
  await waitFor(
    async () => (await sentCount()) >= rateBase + sentAtRate,
    600000,
    'fixed-rate replies SENT',
  );
  results.fixedRate = {
    perSecond: rate,
    seconds: rateSeconds,
    latencyMs: summary(await latencies(rateSince)),
    ...(await breakdown(rateSince)),
  };
  log(`fixed rate: ${JSON.stringify(results.fixedRate)}`);

  // The same rows written straight to Postgres, same concurrency: what the database alone allows.
  log('raw Postgres ceiling');
  await db.query(`DELETE FROM "Message"`);
  await db.query(`DELETE FROM "Conversation"`);
  const rawStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: RAW_CONCURRENCY }, async () => {
      const client = await db.connect();
      try {
        for (let i = next++; i < MESSAGES; i = next++) {
          await client.query('BEGIN');
          const conv = await client.query(
            `INSERT INTO "Conversation" (id, "servicePointId", "customerPhone", "lastMessageAt", "createdAt", "updatedAt")
             VALUES ($1, $2, $3, now(), now(), now())
             ON CONFLICT ("servicePointId", "customerPhone") DO UPDATE SET "updatedAt" = "Conversation"."updatedAt" RETURNING id`,
            [randomUUID(), pointId, phoneOf(i)],
          );
          const inId = randomUUID();
          await client.query(
            `INSERT INTO "Message" (id, "conversationId", "servicePointId", direction, "senderType", content, status, "providerMessageId", "timestamp", "createdAt", "updatedAt")
             VALUES ($1, $2, $3, 'IN', 'CUSTOMER', $4, 'RECEIVED', $5, now(), now(), now()) ON CONFLICT DO NOTHING`,
            [inId, conv.rows[0].id, pointId, `mensaje ${i}`, `raw-${i}`],
          );
          await client.query(
            `UPDATE "Conversation" SET "unreadCount" = "unreadCount" + 1, "lastMessageAt" = now(), "lastInboundAt" = now() WHERE id = $1`,
            [conv.rows[0].id],
          );
          await client.query('COMMIT');
          await client.query('BEGIN');
          const outId = randomUUID();
          await client.query(`UPDATE "Message" SET "processedAt" = now() WHERE id = $1`, [inId]);
          await client.query(
            `INSERT INTO "Message" (id, "conversationId", "servicePointId", direction, "senderType", content, status, "timestamp", "createdAt", "updatedAt")
             VALUES ($1, $2, $3, 'OUT', 'BOT', $4, 'PENDING', now(), now(), now())`,
            [outId, conv.rows[0].id, pointId, `Recibimos tu mensaje ${i}`],
          );
          await client.query('COMMIT');
          await client.query(
            `UPDATE "Message" SET status = 'SENT', "providerMessageId" = $2 WHERE id = $1`,
            [outId, `raw-out-${i}`],
          );
        }
      } finally {
        client.release();
      }
    }),
  );
  const rawPerSecond = Math.round(MESSAGES / ((performance.now() - rawStarted) / 1000));
  results.rawPostgres = {
    concurrency: RAW_CONCURRENCY,
    perSecond: rawPerSecond,
    ratio: Number(
      (
        (results.pipeline as { endToEndPerSecond: number }).endToEndPerSecond / rawPerSecond
      ).toFixed(2),
    ),
  };
  log(`raw Postgres: ${JSON.stringify(results.rawPostgres)}`);

  // Inbox list at scale: 100k conversations / 1M messages in one point.
  log(
    `inbox list: generating ${LIST_CONVERSATIONS} conversations × ${LIST_MESSAGES_PER_CONVERSATION} messages`,
  );
  const big = await api(BASE, '/api/v1/service-points', {
    method: 'POST',
    token,
    body: { name: 'Bench big', provider: 'SIMULATOR' },
  });
  const bigId = big.body.id as string;
  await db.query(
    `INSERT INTO "Conversation" (id, "servicePointId", "customerPhone", "customerName", status, "lastMessageAt", "lastMessagePreview", "lastInboundAt", "unreadCount", "createdAt", "updatedAt")
     SELECT gen_random_uuid(), $1, '+5916' || lpad(g::text, 9, '0'), 'Cliente ' || g, CASE WHEN g % 5 = 0 THEN 'HUMAN'::"ConversationStatus" ELSE 'BOT'::"ConversationStatus" END,
            now() - (g || ' seconds')::interval, 'mensaje ' || g, now() - (g || ' seconds')::interval, g % 4, now(), now()
     FROM generate_series(1, $2) g`,
    [bigId, LIST_CONVERSATIONS],
  );
  await db.query(
    `INSERT INTO "Message" (id, "conversationId", "servicePointId", direction, "senderType", content, status, "providerMessageId", "timestamp", "createdAt", "updatedAt", "processedAt")
     SELECT gen_random_uuid(), c.id, c."servicePointId", CASE WHEN k % 2 = 0 THEN 'IN'::"MessageDirection" ELSE 'OUT'::"MessageDirection" END,
            CASE WHEN k % 2 = 0 THEN 'CUSTOMER'::"SenderType" ELSE 'BOT'::"SenderType" END, 'texto ' || k, 'SENT'::"MessageStatus",
            'gen-' || c.id || '-' || k, c."lastMessageAt" - (k || ' minutes')::interval, now(), now(), now()
     FROM "Conversation" c CROSS JOIN generate_series(1, $2) k WHERE c."servicePointId" = $1`,
    [bigId, LIST_MESSAGES_PER_CONVERSATION],
  );
  await db.query('ANALYZE "Conversation"; ANALYZE "Message"');
  const listTimes: Record<string, number[]> = { firstPage: [], deepPage: [], statusFilter: [] };
  let cursor: string | null = null;
  for (let i = 0; i < 200; i++) {
    for (const [kind, path] of [
      ['firstPage', `/api/v1/service-points/${bigId}/conversations?limit=50`],
      [
        'deepPage',
        `/api/v1/service-points/${bigId}/conversations?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
      ],
      ['statusFilter', `/api/v1/service-points/${bigId}/conversations?limit=50&status=HUMAN`],
    ] as const) {
      const t0 = performance.now();
      const res = await api(BASE, path, { token });
      listTimes[kind].push(performance.now() - t0);
      if (res.status !== 200)
        throw new Error(`list answered ${res.status}: ${JSON.stringify(res.body)}`);
      if (kind === 'deepPage') cursor = res.body.nextCursor;
    }
  }
  results.inboxList = Object.fromEntries(
    Object.entries(listTimes).map(([k, v]) => {
      const sorted = v.slice(20).sort((a, b) => a - b);
      return [
        k,
        {
          p50: Number(percentile(sorted, 50).toFixed(1)),
          p95: Number(percentile(sorted, 95).toFixed(1)),
        },
      ];
    }),
  );
  results.inboxListSize = {
    conversations: LIST_CONVERSATIONS,
    messages: LIST_CONVERSATIONS * LIST_MESSAGES_PER_CONVERSATION,
  };
  log(`inbox list: ${JSON.stringify(results.inboxList)}`);
} finally {
  await db.end();
  await destroyStack(stack);
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
