import { Module } from '@nestjs/common';
import { AiTracesController } from './traces/ai-traces.controller';
import { AiTraceRepository } from './traces/ai-trace.repository';

/** The bot's HTTP side (api process): its traces for the point's managers. */
@Module({ controllers: [AiTracesController], providers: [AiTraceRepository] })
export class AiApiModule {}
