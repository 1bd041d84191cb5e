/**
 * What to do when a Baileys socket closes, by `lastDisconnect.error.output.statusCode`. A closed
 * socket is dead: every "reconnect" below means a new socket with the same auth state.
 */
export type DisconnectDecision =
  /** Normal right after pairing (515): reconnect at once, no backoff, not a failure. */
  | { action: 'restart-now'; reason: string }
  /** Network, timeout, QR expiry, bad session: reconnect with backoff; FAILED after N attempts. */
  | { action: 'retry'; reason: string }
  /** The phone unlinked this device (401): delete credentials; a new QR is needed. */
  | { action: 'logged-out'; reason: string }
  /** Nothing we can fix by retrying (440 replaced, 403 forbidden, 411 multi-device mismatch). */
  | { action: 'fail'; reason: string };

export function decideOnDisconnect(statusCode: number | undefined): DisconnectDecision {
  switch (statusCode) {
    case 515:
      return { action: 'restart-now', reason: 'restart_required' };
    case 401:
      return { action: 'logged-out', reason: 'logged_out' };
    case 440:
      // Another client took this session: fighting back would make both loop forever.
      return { action: 'fail', reason: 'connection_replaced' };
    case 403:
      return { action: 'fail', reason: 'forbidden' };
    case 411:
      return { action: 'fail', reason: 'multidevice_mismatch' };
    case 408:
      return { action: 'retry', reason: 'timed_out' };
    case 428:
      return { action: 'retry', reason: 'connection_closed' };
    case 500:
      return { action: 'retry', reason: 'bad_session' };
    case 503:
      return { action: 'retry', reason: 'service_unavailable' };
    default:
      return { action: 'retry', reason: statusCode ? `closed_${statusCode}` : 'connection_lost' };
  }
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Fraction of the delay added or removed at random (0.2 = ±20 %). */
  jitter: number;
}

/**
 * Delay before reconnect attempt `attempt` (1-based): base·2^(attempt-1), capped, with jitter so
 * that many points dropped by one network blip do not all come back in the same instant.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponential = options.baseMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(options.maxMs, exponential);
  const spread = capped * options.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(capped + spread));
}

/** Baileys shows the first QR for ~60 s and each refresh for ~20 s. */
export function qrLifetimeMs(qrNumber: number): number {
  return qrNumber <= 1 ? 60_000 : 20_000;
}

/** Reads Baileys' `lastDisconnect.error` (a Boom, or a plain Error without a code). */
export function disconnectStatusCode(error: unknown): number | undefined {
  const code = (error as { output?: { statusCode?: unknown } } | undefined)?.output?.statusCode;
  return typeof code === 'number' ? code : undefined;
}
