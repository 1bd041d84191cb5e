export * from './inbox.module';
export * from './inbound/inbound-pipeline';
export * from './inbound/inbound-store';
