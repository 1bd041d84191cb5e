import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, AppError, PrismaService, QUEUES, QueueFactory } from '@bandeja/core';
import type { Prisma, WebhookDelivery } from '@bandeja/core';
import { createHmac, randomUUID } from 'node:crypto';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const REQUEST_TIMEOUT_MS = 5000;

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the X-Bandeja-Signature header. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'skip';

export function toDeliveryView(row: WebhookDelivery) {
  return {
    id: row.id,
    servicePointId: row.servicePointId,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null,
    createdAt: row.createdAt,
    deliveredAt: row.deliveredAt,
    payload: row.payload,
  };
}

/**
 * Outgoing follow-up webhooks: a row per event (its id is the delivery id, the same on every
 * attempt) and a job that sends it; BullMQ retries with exponential backoff.
 */
@Injectable()
export class WebhookDeliveries {
  private readonly logger = new Logger(WebhookDeliveries.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly queues: QueueFactory,
    private readonly config: AppConfig,
  ) {}

  /** Stores the event (with its delivery id and time in the body) and asks a worker to send it. */
  async emit(
    servicePointId: string,
    event: string,
    payload: Record<string, unknown>,
  ): Promise<WebhookDelivery> {
    const id = randomUUID();
    const body = { event, deliveryId: id, occurredAt: new Date().toISOString(), ...payload };
    const row = await this.prisma.webhookDelivery.create({
      data: { id, servicePointId, event, payload: body as Prisma.InputJsonValue },
    });
    await this.enqueue(row.id, `wh_${row.id}`).catch((err: Error) =>
      this.logger.warn({ deliveryId: row.id, err: err.message }, 'webhook job not enqueued'),
    );
    return row;
  }

  async enqueue(deliveryId: string, jobId: string): Promise<void> {
    await this.queues.get(QUEUES.webhooks).add(
      'deliver',
      { deliveryId },
      {
        jobId,
        attempts: this.config.WEBHOOK_MAX_ATTEMPTS,
        backoff: { type: 'exponential', delay: this.config.WEBHOOK_BACKOFF_MS },
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
      },
    );
  }

  /** One attempt. `retry` asks BullMQ for another one later; the last attempt ends `failed`. */
  async attempt(deliveryId: string, lastAttempt: boolean): Promise<AttemptOutcome> {
    const row = await this.prisma.webhookDelivery.findUnique({ where: { id: deliveryId } });
    if (!row || row.status !== 'pending') return 'skip';
    const point = await this.prisma.servicePoint.findUnique({ where: { id: row.servicePointId } });
    const url = (point?.followups as { webhookUrl?: string | null } | null)?.webhookUrl;
    if (!point || !url) return this.finish(row, 'failed', 'no webhook URL configured');
    const body = JSON.stringify(row.payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Bandeja-Webhooks/1',
      'x-bandeja-event': row.event,
      'x-bandeja-delivery': row.id,
    };
    if (point.followupsWebhookSecret)
      headers['x-bandeja-signature'] = signBody(body, point.followupsWebhookSecret);
    let error: string;
    let retryable = true;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return this.finish(row, 'delivered', null);
      error = `HTTP ${res.status}`;
      retryable = res.status >= 500 || res.status === 429;
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message;
    }
    if (!retryable || lastAttempt) return this.finish(row, 'failed', error);
    await this.prisma.webhookDelivery.update({
      where: { id: row.id },
      data: { attempts: { increment: 1 }, lastError: error },
    });
    return 'retry';
  }

  private async finish(
    row: WebhookDelivery,
    status: 'delivered' | 'failed',
    error: string | null,
  ): Promise<AttemptOutcome> {
    await this.prisma.webhookDelivery.update({
      where: { id: row.id },
      data: {
        status,
        attempts: { increment: 1 },
        lastError: error,
        deliveredAt: status === 'delivered' ? new Date() : null,
      },
    });
    return status;
  }

  /** Manual retry: back to pending with a fresh series of attempts (same delivery id). */
  async retry(deliveryId: string): Promise<ReturnType<typeof toDeliveryView>> {
    const row = await this.prisma.webhookDelivery.findUnique({ where: { id: deliveryId } });
    if (!row) throw AppError.notFound('Webhook delivery');
    if (row.status === 'pending')
      throw AppError.conflict('delivery_pending', 'This delivery is still being attempted');
    const updated = await this.prisma.webhookDelivery.update({
      where: { id: row.id },
      data: { status: 'pending', nextAttemptAt: new Date(), lastError: null },
    });
    await this.enqueue(row.id, `wh_${row.id}_${Date.now()}`);
    return toDeliveryView(updated);
  }
}
