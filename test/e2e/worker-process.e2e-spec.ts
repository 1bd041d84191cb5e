import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';

/**
 * The built worker (the same file the Docker image runs) boots, connects to Postgres and Redis,
 * takes jobs, and on SIGTERM drains and exits 0. Needs `npm run build` first (the test command
 * builds before it runs Jest).
 */
const ENTRY = join(__dirname, '../../dist/apps/worker/apps/worker/src/main.js');

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker did not exit in time')), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('worker process', () => {
  const redis = new IORedis(process.env.REDIS_URL as string);
  afterAll(() => redis.quit());

  it('has been built', () => {
    expect(existsSync(ENTRY)).toBe(true);
  });

  it('announces itself through the system queue and stops cleanly on SIGTERM', async () => {
    const prefix = `${process.env.REDIS_PREFIX}-worker`;
    const child = spawn(process.execPath, [ENTRY], {
      env: { ...process.env, NODE_OPTIONS: '', REDIS_PREFIX: prefix, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    try {
      const key = `${prefix}:worker:*`;
      let found: string[] = [];
      for (let i = 0; i < 100 && found.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 200));
        found = await redis.keys(key);
      }
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(`:${child.pid}`);
      // The heartbeat is a scheduled job with a fixed id: restarting never adds a second one.
      const schedulers = await redis.zrange(`${prefix}:bull:system:repeat`, 0, -1);
      expect(schedulers).toEqual(['heartbeat']);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await waitForExit(child, 20000);
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    expect(output).toContain('worker stopped');
    // It removed its own presence key on the way out.
    expect(await redis.keys(`${prefix}:worker:*`)).toEqual([]);
  });

  it('refuses to start with a message naming the bad variable', async () => {
    const child = spawn(process.execPath, [ENTRY], {
      env: { ...process.env, NODE_OPTIONS: '', JWT_SECRET: 'short', REDIS_URL: 'http://nope' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await waitForExit(child, 15000);
    expect(code).toBe(78);
    expect(stderr).toContain('JWT_SECRET');
    expect(stderr).toContain('REDIS_URL');
  });
});
