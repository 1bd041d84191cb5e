import 'dotenv/config';
import { defineConfig } from 'prisma/config';

// The CLI (migrate, generate, seed) reads the database URL from here; the runtime client gets it
// from the validated app config through @prisma/adapter-pg.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
    seed: 'node dist/apps/api/prisma/seed.js',
  },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/bandeja',
  },
});
