import { Injectable } from '@nestjs/common';
import { RedisService, WhatsappState } from '@bandeja/core';
import type { QrCode, SessionStatus } from '../channel/channel.types';

/** How api and worker talk about sessions through Redis (works across processes and replicas). */
export type SessionCommand = {
  op: 'connect' | 'disconnect' | 'logout';
  servicePointId: string;
  requestId?: string;
};

export interface StoredStatus extends Omit<
  SessionStatus,
  'since' | 'lastQrAt' | 'nextRetryAt' | 'qr'
> {
  since: string;
  lastQrAt: string | null;
  nextRetryAt: string | null;
  qr: { qr: string; expiresAt: string } | null;
  workerId: string;
  updatedAt: string;
}

export type SessionEvent =
  | { type: 'state'; servicePointId: string; status: StoredStatus }
  | { type: 'qr'; servicePointId: string; qr: string; expiresAt: string };

/** Snapshots live this long unless their owner renews them: a dead worker's status expires. */
export const STATUS_TTL_MS = 30_000;
export const LEASE_TTL_MS = 30_000;

export function toStored(status: SessionStatus, workerId: string): StoredStatus {
  const qr = (q: QrCode | null) => (q ? { qr: q.qr, expiresAt: q.expiresAt.toISOString() } : null);
  return {
    ...status,
    since: status.since.toISOString(),
    lastQrAt: status.lastQrAt?.toISOString() ?? null,
    nextRetryAt: status.nextRetryAt?.toISOString() ?? null,
    qr: qr(status.qr),
    workerId,
    updatedAt: new Date().toISOString(),
  };
}

@Injectable()
export class SessionBus {
  constructor(private readonly redis: RedisService) {}

  get commandsChannel(): string {
    return this.redis.key('wa', 'commands');
  }

  get eventsChannel(): string {
    return this.redis.key('wa', 'events');
  }

  statusKey(servicePointId: string): string {
    return this.redis.key('wa', 'status', servicePointId);
  }

  leaseKey(servicePointId: string): string {
    return this.redis.key('wa', 'lease', servicePointId);
  }

  /** Publishes a command; resolves with how many worker processes received it. */
  async command(command: SessionCommand): Promise<number> {
    return this.redis.client.publish(this.commandsChannel, JSON.stringify(command));
  }

  async readStatus(servicePointId: string): Promise<StoredStatus | null> {
    const raw = await this.redis.client.get(this.statusKey(servicePointId));
    return raw ? (JSON.parse(raw) as StoredStatus) : null;
  }

  async readStatuses(ids: string[]): Promise<(StoredStatus | null)[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.client.mget(ids.map((id) => this.statusKey(id)));
    return raws.map((raw) => (raw ? (JSON.parse(raw) as StoredStatus) : null));
  }

  /** Writes the snapshot and tells every api process (SSE) about it. */
  async publishStatus(
    servicePointId: string,
    stored: StoredStatus,
    qrChanged: boolean,
  ): Promise<void> {
    const multi = this.redis.client
      .multi()
      .set(this.statusKey(servicePointId), JSON.stringify(stored), 'PX', STATUS_TTL_MS)
      .publish(
        this.eventsChannel,
        JSON.stringify({ type: 'state', servicePointId, status: stored } satisfies SessionEvent),
      );
    if (qrChanged && stored.qr && stored.state === WhatsappState.QR_REQUIRED) {
      multi.publish(
        this.eventsChannel,
        JSON.stringify({
          type: 'qr',
          servicePointId,
          qr: stored.qr.qr,
          expiresAt: stored.qr.expiresAt,
        } satisfies SessionEvent),
      );
    }
    await multi.exec();
  }

  async clearStatus(servicePointId: string): Promise<void> {
    await this.redis.client.del(this.statusKey(servicePointId));
  }

  async acquireLease(servicePointId: string, workerId: string): Promise<boolean> {
    return (
      (await this.redis.client.set(
        this.leaseKey(servicePointId),
        workerId,
        'PX',
        LEASE_TTL_MS,
        'NX',
      )) === 'OK'
    );
  }

  /** Extends our lease; false when another worker holds it now (then we must let go). */
  async renewLease(servicePointId: string, workerId: string): Promise<boolean> {
    const renewed = await this.redis.client.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end",
      1,
      this.leaseKey(servicePointId),
      workerId,
      String(LEASE_TTL_MS),
    );
    return renewed === 1;
  }

  async releaseLease(servicePointId: string, workerId: string): Promise<void> {
    await this.redis.client.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
      1,
      this.leaseKey(servicePointId),
      workerId,
    );
  }

  async leaseHolder(servicePointId: string): Promise<string | null> {
    return this.redis.client.get(this.leaseKey(servicePointId));
  }

  /** Re-sets the snapshot's TTL without changing it (the owner is alive). */
  async touchStatus(servicePointId: string): Promise<void> {
    await this.redis.client.pexpire(this.statusKey(servicePointId), STATUS_TTL_MS);
  }
}
