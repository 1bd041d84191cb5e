import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Queue, QueueOptions } from 'bullmq';
import { RedisService } from '../redis/redis.service';

/**
 * Creates BullMQ queues on the process's Redis with the configured prefix, one instance per
 * name, closed on shutdown.
 */
@Injectable()
export class QueueFactory implements OnModuleDestroy {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly redis: RedisService) {}

  get(name: string, options: Partial<QueueOptions> = {}): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.redis.connectionOptions(),
        prefix: this.bullPrefix(),
        defaultJobOptions: { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } },
        ...options,
      });
      // Errors surface on health checks; an unhandled 'error' event must not kill the process.
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  bullPrefix(): string {
    return `${this.redis.prefix}:bull`;
  }

  connectionOptions() {
    return this.redis.connectionOptions();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.all().map((q) => q.close().catch(() => undefined)));
  }
}
