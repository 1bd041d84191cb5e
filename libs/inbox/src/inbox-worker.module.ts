import { DynamicModule, ModuleMetadata, Type } from '@nestjs/common';
import { InboxModule } from './inbox.module';
import { ConversationLock } from './pipeline/conversation-lock';
import { ConversationProcessor } from './pipeline/conversation-processor';
import { PipelineWorker } from './pipeline/pipeline.worker';
import { MinimalResponder, RESPONDER } from './pipeline/responder';
import type { Responder } from './pipeline/responder';

export interface InboxWorkerOptions {
  /** Modules the responder needs (e.g. the AI module). */
  imports?: ModuleMetadata['imports'];
  /** Who answers customers; MinimalResponder when none is given. */
  responder?: Type<Responder>;
}

/**
 * The pipeline's worker half. The app provides CHANNEL_SENDER (the session manager) and picks the
 * responder, so the inbox does not depend on the bot.
 */
export class InboxWorkerModule {
  static register(options: InboxWorkerOptions = {}): DynamicModule {
    return {
      module: InboxWorkerModule,
      imports: [InboxModule, ...(options.imports ?? [])],
      providers: [
        ConversationLock,
        ConversationProcessor,
        PipelineWorker,
        options.responder
          ? { provide: RESPONDER, useExisting: options.responder }
          : { provide: RESPONDER, useClass: MinimalResponder },
      ],
      exports: [PipelineWorker, ConversationProcessor, ConversationLock],
    };
  }
}
