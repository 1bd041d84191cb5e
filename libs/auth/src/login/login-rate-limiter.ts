import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, AppError, RedisService } from '@bandeja/core';
import { createHash } from 'node:crypto';

/**
 * Counts failed logins in Redis, per e-mail and per client address, so the limit holds across
 * api replicas. Over the limit, login answers 429 until the window passes.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly logger = new Logger(LoginRateLimiter.name);

  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {}

  private keys(email: string, ip: string): { key: string; max: number }[] {
    const hash = (v: string) => createHash('sha256').update(v).digest('hex').slice(0, 32);
    const max = this.config.LOGIN_MAX_ATTEMPTS;
    return [
      { key: this.redis.key('login-fail', 'email', hash(email)), max },
      // One address may try a few accounts (an office behind one NAT), not hundreds.
      { key: this.redis.key('login-fail', 'ip', hash(ip)), max: max * 4 },
    ];
  }

  /** Throws 429 when either counter is over its limit. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    try {
      const keys = this.keys(email, ip);
      const counts = await this.redis.client.mget(keys.map((k) => k.key));
      for (let i = 0; i < keys.length; i++) {
        if (Number(counts[i] ?? 0) >= keys[i].max) {
          const ttl = await this.redis.client.ttl(keys[i].key);
          const retryAfterSeconds = ttl > 0 ? ttl : this.config.LOGIN_WINDOW_SECONDS;
          throw new AppError(
            429,
            'rate_limited',
            `Too many failed logins; try again in ${retryAfterSeconds} s`,
            {
              retryAfterSeconds,
            },
          );
        }
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      // Without Redis we cannot count; people must still be able to log in.
      this.logger.warn({ err: (err as Error).message }, 'login rate limiter unavailable');
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    try {
      const multi = this.redis.client.multi();
      for (const { key } of this.keys(email, ip)) {
        multi.incr(key).expire(key, this.config.LOGIN_WINDOW_SECONDS, 'NX');
      }
      await multi.exec();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not record failed login');
    }
  }

  async recordSuccess(email: string, ip: string): Promise<void> {
    await this.redis.client.del(this.keys(email, ip)[0].key).catch(() => undefined);
  }
}
