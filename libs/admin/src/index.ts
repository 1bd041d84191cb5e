export * from './admin.module';
export * from './faqs/faqs.service';
export * from './service-points/service-point.view';
export * from './service-points/service-points.service';
export * from './shipments/shipments.service';
export * from './shipments/tracking-number';
export * from './seed/demo-seed';
