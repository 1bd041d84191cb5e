import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig, PrismaService, QUEUES, QueueFactory, RedisService } from '@bandeja/core';
import { Job, Worker } from 'bullmq';
import { CLAIM_TTL_MS, OutboundService } from '../outbound/outbound.service';
import { ConversationLock } from './conversation-lock';
import { ConversationProcessor } from './conversation-processor';
import { enqueueInbound, inboundJobId } from './jobs';

/**
 * Jobs a worker runs at once. A job mostly waits (its statements are batched with other jobs'),
 * so this is cheap; at 1 000 msg/s a job takes ~30 ms, and 32 was the limit that queued jobs
 * (p99 accepted → SENT 308 ms at a fixed 1 000 msg/s; 113 ms with 128, bench/README.md).
 */
export const PIPELINE_CONCURRENCY = 128;
const SWEEP_EVERY_MS = 5_000;
/** Rows younger than this are left to their own jobs; older ones are presumed lost. */
const SWEEP_GRACE_MS = 3_000;

interface ProcessJob {
  conversationId: string;
  messageId: string;
}
interface DeliverJob {
  messageId: string;
}

/**
 * The worker side of the pipeline: processes `process` jobs (a conversation has unprocessed
 * messages) and `deliver` jobs (an outbound row to send), and sweeps Postgres for work whose job
 * was lost (crash, Redis flushed), so nothing stored is ever forgotten.
 */
@Injectable()
export class PipelineWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PipelineWorker.name);
  private worker?: Worker;
  private sweeper?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly queues: QueueFactory,
    private readonly processor: ConversationProcessor,
    private readonly lock: ConversationLock,
    private readonly outbound: OutboundService,
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.worker = new Worker(QUEUES.pipeline, (job) => this.run(job), {
      connection: this.queues.connectionOptions(),
      prefix: this.queues.bullPrefix(),
      concurrency: PIPELINE_CONCURRENCY,
      // Jobs take milliseconds (the lock is renewed while one runs): a worker that died holding
      // jobs is noticed within seconds, not the default 30 s, and its jobs run elsewhere.
      lockDuration: 10_000,
      stalledInterval: 5_000,
    });
    this.worker.on('error', (err) =>
      this.logger.warn({ err: err.message }, 'pipeline worker error'),
    );
    await this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    if (this.worker) {
      await Promise.race([
        this.worker.close(),
        new Promise((resolve) => setTimeout(resolve, this.config.SHUTDOWN_TIMEOUT_MS).unref()),
      ]);
    }
  }

  private async run(job: Job): Promise<void> {
    if (job.name === 'process') {
      // 'busy' needs nothing more: the worker holding the conversation picks this message up.
      await this.processor.process((job.data as ProcessJob).conversationId);
      return;
    }
    if (job.name === 'deliver') {
      const outcome = await this.outbound.deliver((job.data as DeliverJob).messageId);
      if (outcome === 'retry') throw new Error('delivery not possible yet; retrying with backoff');
    }
  }

  /** Re-enqueues from Postgres whatever is still to do and has no live job. */
  async sweep(): Promise<{ conversations: number; deliveries: number }> {
    if (this.sweeping) return { conversations: 0, deliveries: 0 };
    this.sweeping = true;
    try {
      const before = new Date(Date.now() - SWEEP_GRACE_MS);
      // The oldest waiting message per conversation. Under a backlog older than the grace, most
      // of these are not lost: their job is still queued, or a worker holds the conversation
      // (it reaches them in order). Re-adding work for those would only flood the queue and delay
      // new messages behind it, so only a conversation with neither gets a job again.
      const waiting = await this.prisma.$queryRaw<{ id: string; conversationId: string }[]>`
        SELECT DISTINCT ON ("conversationId") "id", "conversationId" FROM "Message"
        WHERE "direction" = 'IN'::"MessageDirection" AND "processedAt" IS NULL AND "createdAt" < ${before}
        ORDER BY "conversationId", "timestamp", "createdAt", "id"
        LIMIT 1000`;
      const queue = this.queues.get(QUEUES.pipeline);
      const probe = this.redis.client.pipeline();
      for (const row of waiting) {
        probe.exists(this.lock.key(row.conversationId));
        probe.exists(queue.toKey(inboundJobId(row.id)));
      }
      const found = waiting.length ? ((await probe.exec()) ?? []) : [];
      const lost = waiting.filter((_, i) => !found[2 * i]?.[1] && !found[2 * i + 1]?.[1]);
      for (const { id, conversationId } of lost)
        await enqueueInbound(this.queues, conversationId, id);
      // Replies still PENDING whose claim (if any) has expired: nobody is sending them.
      const pendingDeliveries = await this.prisma.message.findMany({
        where: {
          direction: 'OUT',
          status: 'PENDING',
          createdAt: { lt: before },
          OR: [{ claimedAt: null }, { claimedAt: { lt: new Date(Date.now() - CLAIM_TTL_MS) } }],
        },
        select: { id: true },
        take: 1000,
      });
      for (const { id } of pendingDeliveries) await this.outbound.enqueue(id);
      return { conversations: lost.length, deliveries: pendingDeliveries.length };
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'pipeline sweep failed');
      return { conversations: 0, deliveries: 0 };
    } finally {
      this.sweeping = false;
    }
  }
}
