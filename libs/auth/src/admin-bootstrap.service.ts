import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig, PrismaService, UserRole } from '@bandeja/core';
import { PasswordHasher } from './password-hasher';

/**
 * Creates the ADMIN from ADMIN_EMAIL / ADMIN_PASSWORD when the user table is empty. An advisory
 * lock serialises concurrent callers (api replicas, the seed). Used by the api at start-up and by
 * the seed, so that loading the demo first never leaves the configured admin out.
 */
export async function ensureFirstAdmin(
  prisma: PrismaService,
  config: Pick<AppConfig, 'ADMIN_EMAIL' | 'ADMIN_PASSWORD'>,
  hasher: PasswordHasher,
): Promise<'created' | 'exists' | 'skipped'> {
  const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = config;
  const passwordHash = email && password ? await hasher.hash(password) : undefined;
  return prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('bandeja:first-admin'))`);
    if ((await tx.user.count()) > 0) return 'exists' as const;
    if (!email || !passwordHash) return 'skipped' as const;
    await tx.user.create({
      data: {
        email: email.toLowerCase(),
        name: 'Administrator',
        role: UserRole.ADMIN,
        passwordHash,
      },
    });
    return 'created' as const;
  });
}

/** First start of the api: `ensureFirstAdmin`, retried while the database is not reachable yet. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AdminBootstrapService.name);
  private retry?: NodeJS.Timeout;
  private inFlight?: Promise<'created' | 'exists' | 'skipped'>;
  private stopped = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly hasher: PasswordHasher,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.run();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  /** Idempotent; concurrent calls share one attempt. */
  run(): Promise<'created' | 'exists' | 'skipped'> {
    this.inFlight ??= this.attempt().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async attempt(): Promise<'created' | 'exists' | 'skipped'> {
    try {
      const outcome = await ensureFirstAdmin(this.prisma, this.config, this.hasher);
      if (outcome === 'created')
        this.logger.log({ email: this.config.ADMIN_EMAIL }, 'first admin created');
      if (outcome === 'skipped')
        this.logger.warn(
          'no users exist and ADMIN_EMAIL/ADMIN_PASSWORD are not set: nobody can log in',
        );
      return outcome;
    } catch (err) {
      if (this.stopped) return 'skipped';
      this.logger.error(
        { err: (err as Error).message },
        'could not check for the first admin; retrying in 10 s',
      );
      clearTimeout(this.retry);
      this.retry = setTimeout(() => void this.run(), 10_000);
      this.retry.unref();
      return 'skipped';
    }
  }
}
