import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@bandeja/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  const logger = new Logger('Worker');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log({ signal }, 'worker stopping');
    // If something refuses to close, exit anyway rather than hang the orchestrator.
    setTimeout(() => {
      logger.error('worker did not stop in time; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 5000).unref();
    app
      .close()
      .then(() => {
        logger.log('worker stopped');
        process.exit(0);
      })
      .catch((err: Error) => {
        logger.error({ err: err.message }, 'worker shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await app.init();
  logger.log('bandeja worker started');
}

void main();
