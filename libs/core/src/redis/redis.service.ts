import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import IORedis, { Redis, RedisOptions } from 'ioredis';
import { AppConfig } from '../config/app-config';

/**
 * Redis connections of a process. `client` serves commands (rate limits, signals); BullMQ asks
 * for its own connections through `connectionOptions()`. Every key starts with `prefix`.
 */
@Injectable()
export class RedisService implements OnModuleDestroy {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis;
  readonly prefix: string;
  private readonly extra: Redis[] = [];

  constructor(private readonly config: AppConfig) {
    this.prefix = config.REDIS_PREFIX;
    // Auto-pipelining: commands issued in the same turn of the event loop (locks, status reads,
    // event batches of many concurrent requests) leave in one write instead of one each.
    this.client = this.create('commands', {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
    });
  }

  /** Options for BullMQ: blocking connections must not give up on a request. */
  connectionOptions(): BullRedisOptions {
    return { ...(this.baseOptions() as BullRedisOptions), maxRetriesPerRequest: null };
  }

  /** A new dedicated connection (subscribers, blocking reads); closed with the module. */
  duplicate(name: string, options: RedisOptions = {}): Redis {
    const conn = this.create(name, options);
    this.extra.push(conn);
    return conn;
  }

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  /** PING with a deadline, for readiness: waits for a connection in progress, never hangs. */
  async ping(timeoutMs = 1000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    let onReady: (() => void) | undefined;
    try {
      if (this.client.status !== 'ready') {
        const ready = new Promise<void>((resolve) => (onReady = resolve));
        this.client.once('ready', onReady!);
        await Promise.race([ready, deadline]);
      }
      await Promise.race([this.client.ping(), deadline]);
    } finally {
      if (onReady) this.client.off('ready', onReady);
      clearTimeout(timer);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(
      [this.client, ...this.extra].map(async (conn) => {
        // QUIT on a connection that is not up would wait in the offline queue forever.
        if (conn.status !== 'ready') return conn.disconnect();
        await Promise.race([
          conn.quit().catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, 1000).unref()),
        ]);
        conn.disconnect();
      }),
    );
  }

  private baseOptions(): RedisOptions {
    const url = new URL(this.config.REDIS_URL);
    const db = Number(url.pathname.replace('/', '') || 0);
    return {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 6379),
      db: Number.isFinite(db) ? db : 0,
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      tls: url.protocol === 'rediss:' ? {} : undefined,
      // Back off up to 5 s between reconnects, forever: Redis coming back must heal the process.
      retryStrategy: (times) => Math.min(times * 200, 5000),
      connectTimeout: 5000,
    };
  }

  private create(name: string, options: RedisOptions): Redis {
    const conn = new IORedis({
      ...this.baseOptions(),
      ...options,
      connectionName: `bandeja:${name}`,
    });
    let lastLogged = 0;
    conn.on('error', (err: Error) => {
      // A down Redis errors on every retry; one line per 30 s is enough to notice.
      if (Date.now() - lastLogged > 30000) {
        lastLogged = Date.now();
        this.logger.warn({ connection: name, err: err.message }, 'redis connection error');
      }
    });
    return conn;
  }
}
