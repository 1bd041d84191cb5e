import { Module } from '@nestjs/common';
import { AiResponder } from './ai-responder';
import { LocalEngine } from './engine/local-engine';
import { OpenAiEngine } from './engine/openai-engine';
import { AiTraceRepository } from './traces/ai-trace.repository';
import { BotDataRepository } from './tools/bot-data.repository';

/** The bot (worker side): InboxWorkerModule provides AiResponder as the pipeline's RESPONDER. */
@Module({
  providers: [AiResponder, LocalEngine, OpenAiEngine, BotDataRepository, AiTraceRepository],
  exports: [AiResponder, LocalEngine],
})
export class AiModule {}
