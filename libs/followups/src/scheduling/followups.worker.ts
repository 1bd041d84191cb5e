import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig, PrismaService, QUEUES, QueueFactory } from '@bandeja/core';
import { DelayedError, Job, Worker } from 'bullmq';
import { LeadStateService } from '../lead/lead-state.service';
import { WebhookDeliveries } from '../webhooks/webhook-deliveries.service';
import { FollowupScheduler } from './followup-scheduler';

const SWEEP_EVERY_MS = 30_000;
/** Webhooks wait on remote receivers: many at once so a slow one never holds up the rest. */
const WEBHOOK_CONCURRENCY = 32;

/** Fires due follow-up items and sends webhooks; repairs lost jobs from Postgres on start. */
@Injectable()
export class FollowupsWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(FollowupsWorker.name);
  private workers: Worker[] = [];
  private sweeper?: NodeJS.Timeout;
  private repairedOnce = false;
  /** Settles when the start-up repair (over every scheduled row) is over. */
  initialRepair: Promise<void> = Promise.resolve();
  private sweeping = false;

  constructor(
    private readonly queues: QueueFactory,
    private readonly scheduler: FollowupScheduler,
    private readonly leads: LeadStateService,
    private readonly webhooks: WebhookDeliveries,
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const common = {
      connection: this.queues.connectionOptions(),
      prefix: this.queues.bullPrefix(),
    };
    this.workers = [
      new Worker(QUEUES.followups, (job, token) => this.fire(job, token), {
        ...common,
        concurrency: 16,
      }),
      new Worker(QUEUES.webhooks, (job) => this.deliver(job), {
        ...common,
        concurrency: WEBHOOK_CONCURRENCY,
      }),
    ];
    for (const w of this.workers)
      w.on('error', (err) => this.logger.warn({ err: err.message }, 'followups worker error'));
    // The first repair looks at every scheduled row (seconds at 100k): it runs in the
    // background so start-up does not wait for it; jobs meanwhile fire as usual.
    this.initialRepair = this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.race([
      Promise.all(this.workers.map((w) => w.close())),
      new Promise((resolve) => setTimeout(resolve, this.config.SHUTDOWN_TIMEOUT_MS).unref()),
    ]);
  }

  /** A ping moved later by activity: the same job waits again instead of a new one per message. */
  private async fire(job: Job, token?: string): Promise<void> {
    const outcome = await this.leads.fire((job.data as { itemId: string }).itemId);
    if (!outcome.retryAt) return;
    await job.moveToDelayed(outcome.retryAt.getTime(), token);
    throw new DelayedError();
  }

  private async deliver(job: Job): Promise<void> {
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await this.webhooks.attempt(
      (job.data as { deliveryId: string }).deliveryId,
      last,
    );
    if (outcome === 'retry') throw new Error('webhook not delivered; retrying with backoff');
  }

  /** Scheduled rows without a job and pending deliveries without a job get one again. */
  async sweep(): Promise<void> {
    // A slow sweep (a huge backlog) is never overlapped by the next one.
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      // On start everything; afterwards what falls due before the next sweep but one.
      await this.scheduler.repair(
        this.repairedOnce ? new Date(Date.now() + 2 * SWEEP_EVERY_MS) : undefined,
      );
      this.repairedOnce = true;
      const queue = this.queues.get(QUEUES.webhooks);
      const pending = await this.prisma.webhookDelivery.findMany({
        where: { status: 'pending', createdAt: { lt: new Date(Date.now() - 60_000) } },
        select: { id: true },
        take: 1000,
      });
      for (const { id } of pending) {
        const job = await queue.getJob(`wh_${id}`);
        if (!job) await this.webhooks.enqueue(id, `wh_${id}`);
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'followups sweep failed');
    } finally {
      this.sweeping = false;
    }
  }
}
