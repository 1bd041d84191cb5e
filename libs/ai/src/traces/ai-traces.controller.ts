import { CONVERSATION_FROM_ID } from '@bandeja/inbox';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { MembershipRole, PageQuery } from '@bandeja/core';
import type { Page } from '@bandeja/core';
import { PointAccess, UuidParam } from '@bandeja/auth';
import { AiTraceRepository } from './ai-trace.repository';
import { AiTraceView, toAiTraceView } from './ai-trace.view';

/** How the bot answered each turn: for the point's managers (tool results hold shipment data). */
@ApiTags('ai')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller()
export class AiTracesController {
  constructor(private readonly traces: AiTraceRepository) {}

  @Get('conversations/:id/ai-traces')
  @PointAccess(MembershipRole.MANAGER, CONVERSATION_FROM_ID)
  @ApiOperation({ summary: "The bot's turns in a conversation, newest first" })
  async list(@UuidParam('id') id: string, @Query() query: PageQuery): Promise<Page<AiTraceView>> {
    const page = await this.traces.list(id, query);
    return { items: page.items.map(toAiTraceView), nextCursor: page.nextCursor };
  }
}
