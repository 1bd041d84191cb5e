import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { MembershipRole } from '@bandeja/core';
import type { AuditActor } from '@bandeja/core';
import {
  AuditActorFrom,
  CurrentPrincipal,
  PointAccess,
  UuidParam,
  POINT_FROM_ID,
} from '@bandeja/auth';
import type { Principal } from '@bandeja/auth';
import {
  ListConversationsQuery,
  ListMessagesQuery,
  UpdateConversationDto,
} from './conversation.dto';
import { ConversationsService, CONVERSATION_FROM_ID } from './conversations.service';

/** The contract's "Inbox": any member of the point (AGENT and up) works its conversations. */
@ApiTags('inbox')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller()
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get('service-points/:id/conversations')
  @PointAccess(MembershipRole.AGENT, POINT_FROM_ID)
  @ApiOperation({ summary: "The point's conversations, newest activity first" })
  list(
    @UuidParam('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListConversationsQuery,
  ) {
    return this.conversations.list(id, principal, query);
  }

  @Get('conversations/:id')
  @PointAccess(MembershipRole.AGENT, CONVERSATION_FROM_ID)
  @ApiOperation({ summary: 'One conversation' })
  get(@UuidParam('id') id: string) {
    return this.conversations.get(id);
  }

  @Patch('conversations/:id')
  @PointAccess(MembershipRole.AGENT, CONVERSATION_FROM_ID)
  @ApiOperation({ summary: 'Switch BOT/HUMAN and (un)assign to a member of the point' })
  update(
    @UuidParam('id') id: string,
    @Body() dto: UpdateConversationDto,
    @AuditActorFrom() actor: AuditActor,
  ) {
    return this.conversations.update(id, dto, actor);
  }

  @Post('conversations/:id/read')
  @HttpCode(200)
  @PointAccess(MembershipRole.AGENT, CONVERSATION_FROM_ID)
  @ApiOperation({ summary: 'Mark the conversation read (unreadCount back to 0)' })
  read(@UuidParam('id') id: string) {
    return this.conversations.markRead(id);
  }

  @Get('conversations/:id/messages')
  @PointAccess(MembershipRole.AGENT, CONVERSATION_FROM_ID)
  @ApiOperation({ summary: "The conversation's messages by time (newest first by default)" })
  messages(@UuidParam('id') id: string, @Query() query: ListMessagesQuery) {
    return this.conversations.messages(id, query);
  }
}
