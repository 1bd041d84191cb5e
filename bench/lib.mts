// Shared plumbing for the benchmarks: a scratch database migrated with the real CLI, the built
// api/worker started as child processes, and cleanup. Only loopback addresses are used.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis as IORedis } from 'ioredis';
import pg from 'pg';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

export interface Stack {
  dbName: string;
  databaseUrl: string;
  redisPrefix: string;
  env: Record<string, string>;
  children: ChildProcess[];
}

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

export async function createStack(label: string): Promise<Stack> {
  for (const entry of [
    'dist/apps/api/apps/api/src/main.js',
    'dist/apps/worker/apps/worker/src/main.js',
  ]) {
    if (!existsSync(join(ROOT, entry)))
      throw new Error(`${entry} missing: run npm run build first`);
  }
  const id = `${label}_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  const adminUrl =
    process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "bandeja_bench_${id}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/bandeja_bench_${id}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    DATABASE_URL: url.toString(),
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    REDIS_PREFIX: `bandeja-bench-${id}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    ADMIN_EMAIL: 'bench@bench.local',
    ADMIN_PASSWORD: 'bench-password',
    LOG_LEVEL: 'warn',
    WA_START_STAGGER_MS: '0',
    // Issue #4 measures the pipeline with the minimal responder (bench/ai-local measures the bot).
    BOT_RESPONDER: 'minimal',
    NODE_OPTIONS: '',
  };
  execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'migrate', 'deploy'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    dbName: `bandeja_bench_${id}`,
    databaseUrl: url.toString(),
    redisPrefix: env.REDIS_PREFIX,
    env,
    children: [],
  };
}

export function startProcess(
  stack: Stack,
  which: 'api' | 'worker',
  extraEnv: Record<string, string> = {},
  args: string[] = [],
): ChildProcess {
  const entry =
    which === 'api'
      ? 'dist/apps/api/apps/api/src/main.js'
      : 'dist/apps/worker/apps/worker/src/main.js';
  const flags = process.env.BENCH_CPU_PROF
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`,
        `--cpu-prof-name=${which}.cpuprofile`,
      ]
    : [];
  // BENCH_LOG_DIR=/tmp/x keeps each process's JSON log (api.log, worker.log); otherwise dropped.
  const logDir = process.env.BENCH_LOG_DIR;
  const out = logDir ? openSync(join(logDir, `${which}.log`), 'a') : 'ignore';
  const child = spawn(process.execPath, [...flags, join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { ...stack.env, ...extraEnv },
    stdio: ['ignore', out, 'inherit'],
  });
  stack.children.push(child);
  return child;
}

export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn().catch(() => null);
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function destroyStack(stack: Stack): Promise<void> {
  await Promise.all(
    stack.children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15000).unref();
        }),
    ),
  );
  if (process.env.BENCH_KEEP_DB !== '1') {
    const admin = new pg.Client({
      connectionString:
        process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${stack.dbName}" WITH (FORCE)`);
    await admin.end();
  }
  const redis = new IORedis(stack.env.REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${stack.redisPrefix}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export async function api(
  base: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
) {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
