import { Module } from '@nestjs/common';
import { InboundPipeline } from './inbound/inbound-pipeline';
import { InboundStore } from './inbound/inbound-store';

/** Conversations and messages: the inbound pipeline (more to come with the inbox issue). */
@Module({
  providers: [InboundStore, InboundPipeline],
  exports: [InboundPipeline],
})
export class InboxModule {}
