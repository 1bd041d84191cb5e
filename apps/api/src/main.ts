import 'reflect-metadata';
import { ConfigError, loadConfig } from '@bandeja/core';
import { Logger } from '@nestjs/common';
import { createApiApp } from './bootstrap';

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
  const app = await createApiApp(config);
  await app.listen(config.PORT, config.HOST);
  new Logger('Api').log({ port: config.PORT }, 'bandeja api listening');
}

void main();
