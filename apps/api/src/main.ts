import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { configOrExit, exitOnSignals, loadConfig } from '@bandeja/core';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = configOrExit(() => loadConfig());
  const app = await createApiApp(config);
  exitOnSignals(app, 'api', config.SHUTDOWN_TIMEOUT_MS);
  await app.listen(config.PORT, config.HOST);
  new Logger('Api').log({ port: config.PORT }, 'bandeja api listening');
}

void main();
