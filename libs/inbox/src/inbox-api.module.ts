import { Module } from '@nestjs/common';
import { AuthModule } from '@bandeja/auth';
import { ConversationsController } from './conversations/conversations.controller';
import { ConversationsRepository } from './conversations/conversations.repository';
import { ConversationsService } from './conversations/conversations.service';
import { EventsController } from './events/events.controller';
import { InboxModule } from './inbox.module';
import { AgentMessagesController } from './outbound/agent-messages.controller';
import { AgentSendService } from './outbound/agent-send.service';

/** The inbox's HTTP half (api process): conversations, agent sends and the live event stream. */
@Module({
  imports: [InboxModule, AuthModule],
  controllers: [ConversationsController, AgentMessagesController, EventsController],
  providers: [ConversationsRepository, ConversationsService, AgentSendService],
  exports: [ConversationsService],
})
export class InboxApiModule {}
