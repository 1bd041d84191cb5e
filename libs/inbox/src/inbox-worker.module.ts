import { Module } from '@nestjs/common';
import { InboxModule } from './inbox.module';
import { ConversationProcessor } from './pipeline/conversation-processor';
import { PipelineWorker } from './pipeline/pipeline.worker';
import { MinimalResponder, RESPONDER } from './pipeline/responder';

/**
 * The pipeline's worker half. The app provides CHANNEL_SENDER (the session manager) globally or
 * through `imports`; the AI module will replace RESPONDER.
 */
@Module({
  imports: [InboxModule],
  providers: [
    ConversationProcessor,
    PipelineWorker,
    { provide: RESPONDER, useClass: MinimalResponder },
  ],
  exports: [PipelineWorker, ConversationProcessor],
})
export class InboxWorkerModule {}
