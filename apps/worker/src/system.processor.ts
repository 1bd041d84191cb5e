import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig, QUEUES, QueueFactory, RedisService } from '@bandeja/core';
import { Job, Worker } from 'bullmq';
import { hostname } from 'node:os';

export const HEARTBEAT_EVERY_MS = 15_000;

/**
 * Housekeeping queue of the worker. For now it carries the heartbeat: a scheduled job whose
 * processing proves that this worker takes jobs from Redis, visible on the dashboard and as a
 * key with a TTL (`<prefix>:worker:<host>:<pid>`).
 */
@Injectable()
export class SystemProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SystemProcessor.name);
  private worker?: Worker;
  readonly workerId = `${hostname()}:${process.pid}`;

  constructor(
    private readonly queues: QueueFactory,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const queue = this.queues.get(QUEUES.system);
    // Deterministic scheduler id: every worker replica upserts the same one.
    await queue.upsertJobScheduler(
      'heartbeat',
      { every: HEARTBEAT_EVERY_MS },
      { name: 'heartbeat' },
    );
    this.worker = new Worker(QUEUES.system, (job) => this.process(job), {
      connection: this.queues.connectionOptions(),
      prefix: this.queues.bullPrefix(),
      concurrency: 1,
    });
    this.worker.on('error', (err) => this.logger.warn({ err: err.message }, 'system worker error'));
    // Announce this worker at once instead of waiting for the first scheduled run.
    await this.beat();
    this.logger.log({ workerId: this.workerId }, 'worker processing');
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.worker) return;
    // Let the running job finish, but never hang shutdown on it.
    await Promise.race([
      this.worker.close(),
      new Promise((resolve) => setTimeout(resolve, this.config.SHUTDOWN_TIMEOUT_MS).unref()),
    ]);
    await this.redis.client.del(this.redis.key('worker', this.workerId)).catch(() => undefined);
  }

  private async process(job: Job): Promise<void> {
    if (job.name === 'heartbeat') await this.beat();
  }

  private async beat(): Promise<void> {
    await this.redis.client.set(
      this.redis.key('worker', this.workerId),
      JSON.stringify({ at: new Date().toISOString(), pid: process.pid }),
      'PX',
      HEARTBEAT_EVERY_MS * 3,
    );
  }
}
