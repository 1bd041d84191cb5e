import { Module } from '@nestjs/common';
import { AuthModule } from '@bandeja/auth';
import { EventsController } from './events/events.controller';
import { InboxModule } from './inbox.module';
import { AgentMessagesController } from './outbound/agent-messages.controller';
import { AgentSendService } from './outbound/agent-send.service';

/** The inbox's HTTP half (api process): agent sends and the live event stream. */
@Module({
  imports: [InboxModule, AuthModule],
  controllers: [AgentMessagesController, EventsController],
  providers: [AgentSendService],
})
export class InboxApiModule {}
