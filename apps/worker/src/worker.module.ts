import { DynamicModule, Module } from '@nestjs/common';
import { AiModule, AiResponder } from '@bandeja/ai';
import { AppConfig, CoreModule } from '@bandeja/core';
import { FollowupsWorkerModule } from '@bandeja/followups';
import { CHANNEL_SENDER, InboundPipeline, InboxModule, InboxWorkerModule } from '@bandeja/inbox';
import { SessionManager, SocketFactory, WhatsappModule } from '@bandeja/whatsapp';
import { SystemProcessor } from './system.processor';

export interface WorkerOptions {
  /** Tests drive the sessions with a fake Baileys socket. */
  socketFactory?: SocketFactory;
}

/** The worker: WhatsApp sessions, the inbox pipeline and housekeeping queues. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, options: WorkerOptions = {}): DynamicModule {
    const whatsapp = WhatsappModule.forWorker({
      imports: [InboxModule],
      inboundSink: InboundPipeline,
      socketFactory: options.socketFactory,
    });
    return {
      module: WorkerModule,
      imports: [
        CoreModule.forRoot(config, { name: 'bandeja-worker', withHttp: false }),
        // Outbound delivery sends through the sessions this worker owns.
        {
          module: ChannelSenderModule,
          global: true,
          imports: [whatsapp],
          providers: [{ provide: CHANNEL_SENDER, useExisting: SessionManager }],
          exports: [CHANNEL_SENDER],
        },
        config.BOT_RESPONDER === 'minimal'
          ? InboxWorkerModule.register()
          : InboxWorkerModule.register({ imports: [AiModule], responder: AiResponder }),
        FollowupsWorkerModule,
      ],
      providers: [SystemProcessor],
    };
  }
}

class ChannelSenderModule {}
