import 'reflect-metadata';
import { seedDemo } from '@bandeja/admin';
import { ensureFirstAdmin, PasswordHasher } from '@bandeja/auth';
import { AppConfig, configOrExit, loadConfig, PrismaService } from '@bandeja/core';

/**
 * Loads the demo data (see libs/admin/src/seed/demo-seed.ts): `npm run seed` or
 * `npx prisma db seed` after `npm run build` and `npm run migrate:deploy`. Safe to run again.
 * Prints a one-line JSON summary; exits 78 on a bad configuration and 1 on any other failure.
 */
async function main(): Promise<number> {
  const config: AppConfig = configOrExit(() => loadConfig());

  const prisma = new PrismaService(config);
  const hasher = new PasswordHasher();
  try {
    // The configured admin comes first: the demo's own admin must not take its place.
    const firstAdmin = await ensureFirstAdmin(prisma, config, hasher);
    const summary = await seedDemo(prisma, {
      defaultTimezone: config.DEFAULT_TIMEZONE,
      hashPassword: (password) => hasher.hash(password),
    });
    process.stdout.write(`${JSON.stringify({ seeded: 'demo', firstAdmin, ...summary })}\n`);
    return 0;
  } finally {
    await prisma.$disconnect();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `seed failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
