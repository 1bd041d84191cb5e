import { Logger } from '@nestjs/common';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import type { BaileysSocketLike, SocketFactory } from './socket.types';

type BaileysModule = typeof import('@whiskeysockets/baileys');

/**
 * A quiet logger for Baileys: its own logs go to ours at warn and above only (its debug output
 * includes protocol payloads, and credentials must never reach a log).
 */
function baileysLogger(servicePointId: string): ILogger {
  const nest = new Logger('Baileys');
  const make = (bindings: Record<string, unknown>): ILogger => ({
    level: 'warn',
    child: (more: Record<string, unknown>) => make({ ...bindings, ...more }),
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (obj: unknown, msg?: string) =>
      nest.warn({ servicePointId, ...summarize(obj) }, msg ?? 'baileys warning'),
    error: (obj: unknown, msg?: string) =>
      nest.error({ servicePointId, ...summarize(obj) }, msg ?? 'baileys error'),
  });
  return make({});
}

/** Only the error message and code: Baileys log objects can carry keys and message contents. */
function summarize(obj: unknown): Record<string, unknown> {
  if (obj instanceof Error) return { err: obj.message };
  if (obj && typeof obj === 'object' && 'err' in obj) {
    const err = (obj as { err?: unknown }).err;
    return { err: err instanceof Error ? err.message : String(err) };
  }
  return {};
}

/** The production socket factory: a real Baileys socket per call. */
export function createBaileysSocketFactory(): SocketFactory {
  // Baileys is ESM-only; Node ≥ 20.19 loads it with require().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const baileys = require('@whiskeysockets/baileys') as BaileysModule;
  const makeWASocket = baileys.makeWASocket;
  return ({ servicePointId, auth }) => {
    const logger = baileysLogger(servicePointId);
    const sock = makeWASocket({
      auth: { creds: auth.creds, keys: baileys.makeCacheableSignalKeyStore(auth.keys, logger) },
      logger,
      browser: baileys.Browsers.ubuntu('Bandeja'),
      markOnlineOnConnect: false,
      syncFullHistory: false,
      shouldSyncHistoryMessage: () => false,
      connectTimeoutMs: 20_000,
      keepAliveIntervalMs: 20_000,
      // Retries of our own messages: we keep no message store, so nothing to re-send from.
      getMessage: async () => undefined,
    });
    return sock as unknown as BaileysSocketLike;
  };
}
