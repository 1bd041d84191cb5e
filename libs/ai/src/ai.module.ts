import { Module } from '@nestjs/common';
import { AiResponder } from './ai-responder';
import { LocalEngine } from './engine/local-engine';
import { AiTraceRepository } from './traces/ai-trace.repository';
import { BotDataRepository } from './tools/bot-data.repository';

/** The bot (worker side): InboxWorkerModule provides AiResponder as the pipeline's RESPONDER. */
@Module({
  providers: [AiResponder, LocalEngine, BotDataRepository, AiTraceRepository],
  exports: [AiResponder],
})
export class AiModule {}
