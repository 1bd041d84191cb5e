import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, CoreModule } from '@bandeja/core';
import { SystemProcessor } from './system.processor';

/** The worker: queue processors (and, from the sessions issue on, the WhatsApp sockets). */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(config, { name: 'bandeja-worker', withHttp: false })],
      providers: [SystemProcessor],
    };
  }
}
