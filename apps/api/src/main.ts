import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configOrExit, exitOnSignals, loadConfig } from '@bandeja/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { WorkerModule } from '../../worker/src/worker.module';
import { createApiApp } from './bootstrap';

/**
 * The api process. With `--with-worker` the worker runs in the same process too (a one-command
 * local mode); production runs `start:api` and `start:worker` apart and scales each.
 */
async function main(): Promise<void> {
  const config = configOrExit(() => loadConfig());
  const app = await createApiApp(config);
  const worker = process.argv.includes('--with-worker')
    ? await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true })
    : undefined;
  worker?.useLogger(worker.get(PinoLogger));
  exitOnSignals(
    { close: async () => void (await Promise.all([app.close(), worker?.close()])) },
    'api',
    config.SHUTDOWN_TIMEOUT_MS,
  );
  await worker?.init();
  await app.listen(config.PORT, config.HOST);
  new Logger('Api').log(
    { port: config.PORT, withWorker: Boolean(worker) },
    'bandeja api listening',
  );
}

void main();
