import type { AppConfig, PrismaService } from '@bandeja/core';
import type { AuthStateStore } from './auth-state-store';
import { parseEncryptionKey } from './crypto';
import { FileAuthStateStore } from './file-auth-state.store';
import { PostgresAuthStateStore } from './postgres-auth-state.store';

/** The credential store the configuration asks for (AUTH_STORE). */
export function createAuthStateStore(config: AppConfig, prisma: PrismaService): AuthStateStore {
  if (config.AUTH_STORE === 'postgres') {
    if (!config.AUTH_ENCRYPTION_KEY) {
      throw new Error('AUTH_ENCRYPTION_KEY is required when AUTH_STORE=postgres');
    }
    return new PostgresAuthStateStore(prisma, parseEncryptionKey(config.AUTH_ENCRYPTION_KEY));
  }
  return new FileAuthStateStore({ baseDir: config.BAILEYS_AUTH_DIR });
}
