import { Module } from '@nestjs/common';
import { AuthModule } from '@bandeja/auth';
import { ConversationsController } from './conversations/conversations.controller';
import { ConversationsRepository } from './conversations/conversations.repository';
import { ConversationsService } from './conversations/conversations.service';
import { InboundPipeline } from './inbound/inbound-pipeline';
import { InboundStore } from './inbound/inbound-store';
import { OutboundService } from './outbound/outbound.service';

/** Conversations and messages: the inbound pipeline (more to come with the inbox issue). */
@Module({
  imports: [AuthModule],
  controllers: [ConversationsController],
  providers: [
    InboundStore,
    InboundPipeline,
    OutboundService,
    ConversationsRepository,
    ConversationsService,
  ],
  exports: [InboundPipeline, OutboundService, ConversationsService],
})
export class InboxModule {}
