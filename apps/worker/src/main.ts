import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configOrExit, exitOnSignals, loadConfig } from '@bandeja/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = configOrExit(() => loadConfig());
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(PinoLogger));
  exitOnSignals(app, 'worker', config.SHUTDOWN_TIMEOUT_MS);
  await app.init();
  new Logger('Worker').log('bandeja worker started');
}

void main();
