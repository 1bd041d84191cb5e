import { Module } from '@nestjs/common';
import { InboundPipeline } from './inbound/inbound-pipeline';
import { InboundStore } from './inbound/inbound-store';
import { OutboundService } from './outbound/outbound.service';

/** Conversations and messages, the part both processes need: storing inbound, the outbox. */
@Module({
  providers: [InboundStore, InboundPipeline, OutboundService],
  exports: [InboundPipeline, OutboundService],
})
export class InboxModule {}
