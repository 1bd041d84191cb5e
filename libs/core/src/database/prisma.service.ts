import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { createHash } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { PrismaClient } from './generated/client';

/**
 * Names SQL texts for node-postgres, which then prepares each once per connection and reuses it:
 * the hot statements (big CTEs in the pipeline) were costing Postgres more in parse and plan than
 * in execution. Only the first `limit` distinct texts get a name (a bound on what every
 * connection keeps); any other runs unnamed, as without the cache.
 */
export function statementNames(limit: number): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    const known = names.get(sql);
    if (known !== undefined) return known;
    if (names.size >= limit) return '';
    const name = `bdj_${createHash('sha1').update(sql).digest('base64url').slice(0, 24)}`;
    names.set(sql, name);
    return name;
  };
}

/**
 * The one Prisma client of a process, on the node-postgres driver adapter. Connections open
 * lazily, so a process whose database is briefly down still starts and reports it on /health/ready.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(config: AppConfig) {
    super({
      adapter: new PrismaPg(
        {
          connectionString: config.DATABASE_URL,
          max: config.DATABASE_POOL_SIZE,
          connectionTimeoutMillis: 5000,
          // Named statements let Postgres switch to a generic plan, and it may settle on one
          // made while a table was still small (a fresh install, a bench) and keep it: Seq Scans
          // of the whole table in the batched statements, whose arrays a generic plan cannot
          // size (follow-ups activity fell from ~4 000 to 871/s, bench/README.md). Plans are
          // made for each call's parameters; parsing is still saved. Costs ~2 ms more per FAQ
          // search (its plan is the expensive one). An `options` in DATABASE_URL wins.
          ...(config.DATABASE_STATEMENT_CACHE > 0
            ? { options: '-c plan_cache_mode=force_custom_plan' }
            : {}),
        },
        { statementNameGenerator: statementNames(config.DATABASE_STATEMENT_CACHE) },
      ),
      // Under bursts a transaction may wait for a pooled connection; waiting beats a 500.
      transactionOptions: { maxWait: 10_000, timeout: 15_000 },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
