import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * The no-Docker way of running Bandeja, as the README gives it: the built api entry point
 * (what `npm run start:api` and the Docker image run) serves /health/ready and /docs.
 */
const ENTRY = join(__dirname, '../../dist/apps/api/apps/api/src/main.js');

describe('api process', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('listens on PORT and serves readiness and the docs; stops on SIGTERM', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    child = spawn(process.execPath, [ENTRY], {
      env: { ...process.env, NODE_OPTIONS: '', PORT: String(port), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    let ready: Response | undefined;
    for (let i = 0; i < 100 && ready?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ready = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
    }
    expect(ready?.status).toBe(200);
    const docs = await fetch(`http://127.0.0.1:${port}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
    // Logs are JSON lines (pino), not console text.
    const lines = output.trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(output).toContain('bandeja api listening');
    const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
