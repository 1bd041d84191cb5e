import { DynamicModule, Module } from '@nestjs/common';
import { AdminModule } from '@bandeja/admin';
import { AiApiModule } from '@bandeja/ai';
import { AuthModule } from '@bandeja/auth';
import { AppConfig, CoreModule } from '@bandeja/core';
import { FollowupsApiModule } from '@bandeja/followups';
import { InboundPipeline, InboxApiModule, InboxModule } from '@bandeja/inbox';
import { WhatsappModule } from '@bandeja/whatsapp';

/** The HTTP app: REST, health, metrics, docs and the queue dashboard. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, { name: 'bandeja-api', withHttp: true }),
        AuthModule,
        AdminModule,
        InboxModule,
        InboxApiModule,
        AiApiModule,
        FollowupsApiModule,
        WhatsappModule.forApi({ imports: [InboxModule], inboundSink: InboundPipeline }),
      ],
    };
  }
}
