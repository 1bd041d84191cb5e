import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, CoreModule } from '@bandeja/core';
import { InboundPipeline, InboxModule } from '@bandeja/inbox';
import { SocketFactory, WhatsappModule } from '@bandeja/whatsapp';
import { SystemProcessor } from './system.processor';

export interface WorkerOptions {
  /** Tests drive the sessions with a fake Baileys socket. */
  socketFactory?: SocketFactory;
}

/** The worker: WhatsApp sessions and queue processors. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, options: WorkerOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        CoreModule.forRoot(config, { name: 'bandeja-worker', withHttp: false }),
        InboxModule,
        WhatsappModule.forWorker({
          imports: [InboxModule],
          inboundSink: InboundPipeline,
          socketFactory: options.socketFactory,
        }),
      ],
      providers: [SystemProcessor],
    };
  }
}
