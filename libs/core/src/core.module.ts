import { DynamicModule, Global, Module } from '@nestjs/common';
import { AuditService } from './audit/audit.service';
import { DomainEvents } from './events/domain-events';
import { AppConfig } from './config/app-config';
import { PrismaService } from './database/prisma.service';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { LoggingModule } from './logging/logging.module';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { QueueFactory } from './queues/queue.factory';
import { RedisService } from './redis/redis.service';

const providers = [
  PrismaService,
  RedisService,
  MetricsService,
  HealthService,
  AuditService,
  QueueFactory,
  DomainEvents,
];

/**
 * Process-wide infrastructure: validated config, Postgres, Redis, queues, metrics, audit, logs.
 * `withHttp` adds /health/* and /metrics (the api; the worker has no HTTP server).
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, options: { name: string; withHttp: boolean }): DynamicModule {
    return {
      module: CoreModule,
      imports: [LoggingModule.forRoot(config, options.name)],
      controllers: options.withHttp ? [HealthController, MetricsController] : [],
      providers: [{ provide: AppConfig, useValue: config }, ...providers],
      exports: [AppConfig, LoggingModule, ...providers],
    };
  }
}
