import { Global, Module } from '@nestjs/common';
import { AuthModule } from '@bandeja/auth';
import { ACTIVITY_LISTENER } from '@bandeja/inbox';
import { FollowupsController } from './api/followups.controller';
import { LeadStateService } from './lead/lead-state.service';
import { PointSettings } from './lead/point-settings';
import { FollowupScheduler } from './scheduling/followup-scheduler';
import { FollowupsWorker } from './scheduling/followups.worker';
import { WebhookDeliveries } from './webhooks/webhook-deliveries.service';

/**
 * Follow-ups, the part both processes need. Global so the inbox's InboundPipeline finds
 * ACTIVITY_LISTENER without depending on this library.
 */
@Global()
@Module({
  providers: [
    PointSettings,
    FollowupScheduler,
    WebhookDeliveries,
    LeadStateService,
    { provide: ACTIVITY_LISTENER, useExisting: LeadStateService },
  ],
  exports: [LeadStateService, FollowupScheduler, WebhookDeliveries, ACTIVITY_LISTENER],
})
export class FollowupsModule {}

/** HTTP half (api): lead state, reminders, business statuses, webhook deliveries. */
@Module({
  imports: [FollowupsModule, AuthModule],
  controllers: [FollowupsController],
})
export class FollowupsApiModule {}

/** Worker half: fires due items, sends webhooks, repairs lost jobs. */
@Module({
  imports: [FollowupsModule],
  providers: [FollowupsWorker],
  exports: [FollowupsWorker],
})
export class FollowupsWorkerModule {}
