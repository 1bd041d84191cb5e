import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Subject } from 'rxjs';
import { Coalescer } from '../batching/coalescer';
import { RedisService } from '../redis/redis.service';

/** Something the console shows live, always about one service point. */
export interface DomainEvent {
  /** Stream id: increasing, usable as SSE `id` and `Last-Event-ID`. */
  id: string;
  type: string;
  servicePointId: string;
  data: unknown;
}

const STREAM_MAX_LENGTH = 10_000;
/** How often a reader with no listeners looks where the stream ends. */
const IDLE_POLL_MS = 100;

/**
 * Live events across processes on one Redis stream: any process publishes (XADD, capped), every
 * api process reads it (one blocking XREAD loop) and fans it out to its SSE clients; a client
 * that reconnects with Last-Event-ID gets what it missed from the stream.
 */
@Injectable()
export class DomainEvents implements OnModuleDestroy {
  private readonly logger = new Logger(DomainEvents.name);
  readonly events$ = new Subject<DomainEvent>();
  private reader?: Redis;
  private reading = false;
  /**
   * Events published at the same moment leave in one round trip; one batch at a time, so the
   * stream keeps the order in which they were published.
   */
  private readonly outgoing = new Coalescer<
    { type: string; servicePointId: string; data: unknown },
    void
  >(
    async (events) => {
      await this.publishMany(events);
      return events.map(() => undefined);
    },
    { maxBatch: 500, maxInFlight: 1 },
  );

  constructor(private readonly redis: RedisService) {}

  get stream(): string {
    return this.redis.key('events');
  }

  /** Best effort: a live event must never fail the work it reports on. */
  publish(type: string, servicePointId: string, data: unknown): Promise<void> {
    return this.outgoing.submit({ type, servicePointId, data });
  }

  /** Several events in one round trip (same best-effort contract as `publish`). */
  async publishMany(
    events: { type: string; servicePointId: string; data: unknown }[],
  ): Promise<void> {
    if (events.length === 0) return;
    try {
      const batch = this.redis.client.pipeline();
      for (const e of events) {
        batch.xadd(
          this.stream,
          'MAXLEN',
          '~',
          String(STREAM_MAX_LENGTH),
          '*',
          'e',
          JSON.stringify(e),
        );
      }
      const results = (await batch.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
    } catch (err) {
      this.logger.warn(
        { count: events.length, err: (err as Error).message },
        'live events not published',
      );
    }
  }

  /** Starts the process's reader (api only); idempotent. */
  startReading(): void {
    if (this.reading) return;
    this.reading = true;
    this.reader = this.redis.duplicate('events-reader');
    void this.loop();
  }

  /** Events after `lastId` still in the stream (for reconnecting clients). */
  async since(lastId: string, count = 1000): Promise<DomainEvent[]> {
    if (!/^\d+-\d+$/.test(lastId)) return [];
    const rows = await this.redis.client.xrange(this.stream, `(${lastId}`, '+', 'COUNT', count);
    return rows.map(([id, fields]) => this.parse(id, fields)).filter((e): e is DomainEvent => !!e);
  }

  onModuleDestroy(): void {
    this.reading = false;
    this.reader?.disconnect();
    this.events$.complete();
  }

  private async loop(): Promise<void> {
    let last = '$';
    while (this.reading && this.reader) {
      try {
        if (!this.events$.observed) {
          // Nobody in this process listens: follow the stream's end instead of fetching and
          // parsing every event (several per message). A first listener gets everything after
          // the position seen here, at most one poll old: an event or two from just before it
          // connected, never a gap.
          const [latest] = await this.reader.xrevrange(this.stream, '+', '-', 'COUNT', 1);
          if (latest) last = latest[0];
          await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS).unref());
          continue;
        }
        const result = (await this.reader.xread(
          'COUNT',
          500,
          'BLOCK',
          5000,
          'STREAMS',
          this.stream,
          last,
        )) as [string, [string, string[]][]][] | null;
        for (const [, entries] of result ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            const event = this.parse(id, fields);
            if (event) this.events$.next(event);
          }
        }
      } catch (err) {
        if (!this.reading) return;
        this.logger.warn({ err: (err as Error).message }, 'event stream read failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private parse(id: string, fields: string[]): DomainEvent | null {
    const at = fields.indexOf('e');
    if (at < 0) return null;
    try {
      const body = JSON.parse(fields[at + 1]) as Omit<DomainEvent, 'id'>;
      return { id, ...body };
    } catch {
      return null;
    }
  }
}
