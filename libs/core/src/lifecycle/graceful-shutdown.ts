import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';

interface Closable {
  close(): Promise<void>;
}

/**
 * On SIGTERM/SIGINT: close the app (Nest runs every onModuleDestroy: sockets, queues, pools),
 * then exit 0; exit 1 if closing fails or takes longer than `timeoutMs` + 5 s.
 */
export function exitOnSignals(app: Closable, name: string, timeoutMs: number): void {
  const logger = new Logger(name);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log({ signal }, `${name} stopping`);
    setTimeout(() => {
      logger.error(`${name} did not stop in time; exiting`);
      process.exit(1);
    }, timeoutMs + 5000).unref();
    app.close().then(
      () => {
        logger.log(`${name} stopped`);
        process.exit(0);
      },
      (err: Error) => {
        logger.error({ err: err.message }, `${name} shutdown failed`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * Validated config or exit 78 (EX_CONFIG) with a message naming each bad variable. A `.env` in
 * the working directory is read first; variables already in the environment win over it.
 */
export function configOrExit<T>(load: () => T): T {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return load();
  } catch (err) {
    if (err instanceof Error && err.name === 'ConfigError') {
      process.stderr.write(`${err.message}\nSee .env.example for every variable.\n`);
      process.exit(78);
    }
    throw err;
  }
}
