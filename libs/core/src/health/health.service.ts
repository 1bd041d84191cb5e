import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { RedisService } from '../redis/redis.service';

export interface DependencyCheck {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

@Injectable()
export class HealthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
  ) {}

  async check(
    timeoutMs = 1500,
  ): Promise<{ status: 'ok' | 'error'; checks: Record<string, DependencyCheck> }> {
    const [database, redis] = await Promise.all([
      this.probe(() => this.prisma.$queryRawUnsafe('SELECT 1'), timeoutMs),
      this.probe(() => this.redis.ping(timeoutMs), timeoutMs),
    ]);
    const checks = { database, redis };
    return { status: database.status === 'up' && redis.status === 'up' ? 'ok' : 'error', checks };
  }

  private async probe(fn: () => Promise<unknown>, timeoutMs: number): Promise<DependencyCheck> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      return { status: 'up', latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      return {
        status: 'down',
        latencyMs: Math.round(performance.now() - started),
        error: err instanceof Error ? err.message : String(err),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
