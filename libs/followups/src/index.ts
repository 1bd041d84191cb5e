export * from './followups.module';
export * from './lead/lead-state.service';
export * from './lead/point-settings';
export * from './scheduling/followup-scheduler';
export * from './scheduling/followups.worker';
export * from './time/working-hours';
export * from './webhooks/webhook-deliveries.service';
