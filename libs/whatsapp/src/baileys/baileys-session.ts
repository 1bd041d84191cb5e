import { Logger } from '@nestjs/common';
import { WhatsappState } from '@bandeja/core';
import type { AuthStateHandle, AuthStateStore } from '../auth-state/auth-state-store';
import type { ChannelSession, QrCode, SendOptions, SessionStatus } from '../channel/channel.types';
import { ChannelSessionEmitter, WhatsappNotReadyError } from '../channel/channel.types';
import { phoneFromJid, phoneToJid } from '../channel/phone';
import {
  BackoffOptions,
  backoffDelay,
  decideOnDisconnect,
  disconnectStatusCode,
  qrLifetimeMs,
} from '../session/disconnect-policy';
import { recommendedAction } from '../session/recommended-action';
import { normalizeReceipts } from './normalize-receipts';
import { normalizeUpsert } from './normalize-inbound';
import type { BaileysSocketLike, SocketFactory } from './socket.types';

export interface BaileysSessionOptions {
  servicePointId: string;
  store: AuthStateStore;
  socketFactory: SocketFactory;
  maxReconnectAttempts: number;
  backoff: BackoffOptions;
  maxQrCodes: number;
  /** How often a CONNECTED session checks that its socket is really open. */
  livenessIntervalMs?: number;
  lidToPhone?: (lid: string) => string | undefined;
}

interface ConnectionUpdate {
  connection?: 'open' | 'connecting' | 'close';
  lastDisconnect?: { error?: unknown };
  qr?: string;
}

const SENT_IDS_KEPT = 5000;
/** Restart-required (515) closes answered at once before backoff applies. */
const MAX_IMMEDIATE_RESTARTS = 3;

/**
 * One service point's WhatsApp connection over Baileys. State comes only from the socket's own
 * events plus a liveness check; a closed socket is never reused (reconnecting = a new socket
 * with the same credentials); every socket has a generation so late events of a dead one are
 * ignored.
 */
export class BaileysSession extends ChannelSessionEmitter implements ChannelSession {
  private readonly logger: Logger;
  readonly servicePointId: string;
  private sock?: BaileysSocketLike;
  private generation = 0;
  private stopping = false;
  private state: WhatsappState = WhatsappState.STOPPED;
  private since = new Date();
  private lastError: string | null = null;
  private attempt = 0;
  private restartsSinceOpen = 0;
  private qrCount = 0;
  private qr: QrCode | null = null;
  private lastQrAt: Date | null = null;
  private nextRetryAt: Date | null = null;
  private phoneNumber: string | null = null;
  private retryTimer?: NodeJS.Timeout;
  private livenessTimer?: NodeJS.Timeout;
  /** Credential saves and deletions under way, in order; a new socket loads only after them. */
  private credsWrites: Promise<unknown> = Promise.resolve();
  /** Ids of messages Bandeja sent, to tell our own echoes from messages typed on the phone. */
  private readonly sentIds = new Set<string>();

  constructor(private readonly options: BaileysSessionOptions) {
    super();
    this.servicePointId = options.servicePointId;
    this.logger = new Logger(`BaileysSession`);
  }

  async start(): Promise<void> {
    this.clearTimers();
    this.dropSocket();
    this.stopping = false;
    this.attempt = 0;
    this.qrCount = 0;
    this.qr = null;
    this.lastError = null;
    this.nextRetryAt = null;
    await this.openSocket(WhatsappState.INITIALIZING);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.clearTimers();
    this.dropSocket();
    this.qr = null;
    this.nextRetryAt = null;
    this.setState(WhatsappState.STOPPED);
  }

  async logout(): Promise<void> {
    this.stopping = true;
    this.clearTimers();
    const sock = this.sock;
    if (sock && this.state === WhatsappState.CONNECTED) {
      // The socket ends itself with a 401 after logging out: that close is ours, not a
      // disconnect to handle (it would publish STOPPED before LOGGED_OUT), so ignore its events.
      this.generation++;
      // Unlink the device on the phone's side too; if that fails we still forget the credentials.
      await sock
        .logout()
        .catch((err: Error) =>
          this.logger.warn(
            { servicePointId: this.servicePointId, err: err.message },
            'logout request failed',
          ),
        );
    }
    this.dropSocket();
    await this.afterCredsWrites(() => this.options.store.clear(this.servicePointId));
    this.qr = null;
    this.phoneNumber = null;
    this.nextRetryAt = null;
    this.lastError = null;
    this.setState(WhatsappState.LOGGED_OUT);
  }

  canSendMessages(): boolean {
    return (
      this.state === WhatsappState.CONNECTED &&
      !!this.sock &&
      this.sock.ws?.isOpen !== false &&
      !!this.sock.user
    );
  }

  async send(
    to: string,
    text: string,
    options: SendOptions = {},
  ): Promise<{ providerMessageId: string }> {
    const sock = this.sock;
    if (!sock || !this.canSendMessages())
      throw new WhatsappNotReadyError(this.servicePointId, this.state);
    if (options.messageId) this.rememberSent(options.messageId);
    const result = await sock.sendMessage(
      phoneToJid(to),
      { text },
      options.messageId ? { messageId: options.messageId } : undefined,
    );
    const id = result?.key?.id;
    if (!id) throw new Error('WhatsApp did not return a message id');
    this.rememberSent(id);
    return { providerMessageId: id };
  }

  status(): SessionStatus {
    const now = new Date();
    const connected = this.state === WhatsappState.CONNECTED;
    return {
      state: this.state,
      connected,
      canSendMessages: this.canSendMessages(),
      needsQr: this.state === WhatsappState.QR_REQUIRED || this.state === WhatsappState.LOGGED_OUT,
      recommendedAction: recommendedAction({
        state: this.state,
        lastError: this.lastError,
        attempt: this.attempt,
        maxAttempts: this.options.maxReconnectAttempts,
        nextRetryAt: this.nextRetryAt,
        qrExpiresAt: this.qr?.expiresAt ?? null,
        now,
      }),
      phoneNumber: this.phoneNumber,
      lastQrAt: this.lastQrAt,
      lastError: this.lastError,
      since: this.since,
      qr: this.state === WhatsappState.QR_REQUIRED ? this.qr : null,
      attempt: this.attempt,
      nextRetryAt: this.nextRetryAt,
    };
  }

  // ---------------------------------------------------------------------------------------------

  private async openSocket(state: WhatsappState): Promise<void> {
    const generation = ++this.generation;
    this.setState(state);
    let handle: AuthStateHandle;
    try {
      // A save of the last socket's creds (the pairing, right before a 515) or a deletion after
      // a 401 must land before we read the credentials back.
      await this.credsWrites;
      handle = await this.options.store.load(this.servicePointId);
    } catch (err) {
      if (generation !== this.generation) return;
      this.logger.error(
        { servicePointId: this.servicePointId, err: (err as Error).message },
        'could not load WhatsApp credentials',
      );
      this.lastError = 'credentials_unreadable';
      this.setState(WhatsappState.FAILED);
      return;
    }
    // stop() or another start() came in while the credentials were loading.
    if (generation !== this.generation || this.stopping) return;
    let sock: BaileysSocketLike;
    try {
      sock = this.options.socketFactory({
        servicePointId: this.servicePointId,
        auth: handle.state,
      });
    } catch (err) {
      this.logger.error(
        { servicePointId: this.servicePointId, err: (err as Error).message },
        'could not create a WhatsApp socket',
      );
      this.onClose(generation, err);
      return;
    }
    this.sock = sock;
    const current = () => generation === this.generation;
    sock.ev.on('creds.update', (() => {
      this.afterCredsWrites(() => handle.saveCreds()).catch((err: Error) =>
        this.logger.error(
          { servicePointId: this.servicePointId, err: err.message },
          'could not save WhatsApp credentials',
        ),
      );
    }) as (arg: unknown) => void);
    sock.ev.on('connection.update', ((update: ConnectionUpdate) => {
      if (current()) this.onConnectionUpdate(generation, update);
    }) as (arg: unknown) => void);
    sock.ev.on('messages.upsert', ((event: Parameters<typeof normalizeUpsert>[0]) => {
      if (!current()) return;
      const messages = normalizeUpsert(event, {
        servicePointId: this.servicePointId,
        sentByBandeja: (id) => this.sentIds.has(id),
        lidToPhone: this.options.lidToPhone,
      });
      for (const message of messages) this.emit('inbound', message);
    }) as (arg: unknown) => void);
    sock.ev.on('messages.update', ((updates: Parameters<typeof normalizeReceipts>[0]) => {
      if (!current()) return;
      for (const receipt of normalizeReceipts(updates, this.servicePointId))
        this.emit('receipt', receipt);
    }) as (arg: unknown) => void);
  }

  private onConnectionUpdate(generation: number, update: ConnectionUpdate): void {
    if (update.qr) {
      this.qrCount++;
      if (this.qrCount > this.options.maxQrCodes) {
        // Nobody is scanning: stop instead of showing codes forever, and say so.
        this.stopping = true;
        this.dropSocket();
        this.qr = null;
        this.lastError = 'qr_not_scanned';
        this.setState(WhatsappState.STOPPED);
        return;
      }
      const now = new Date();
      this.qr = { qr: update.qr, expiresAt: new Date(now.getTime() + qrLifetimeMs(this.qrCount)) };
      this.lastQrAt = now;
      this.setState(WhatsappState.QR_REQUIRED, true);
    }
    if (update.connection === 'connecting' && this.state !== WhatsappState.QR_REQUIRED) {
      this.setState(WhatsappState.CONNECTING);
    }
    if (update.connection === 'open') {
      this.restartsSinceOpen = 0;
      this.attempt = 0;
      this.qrCount = 0;
      this.qr = null;
      this.nextRetryAt = null;
      this.lastError = null;
      this.phoneNumber = this.sock?.user?.id ? phoneFromJid(this.sock.user.id) : this.phoneNumber;
      this.setState(WhatsappState.CONNECTED);
      this.startLiveness(generation);
    }
    if (update.connection === 'close') this.onClose(generation, update.lastDisconnect?.error);
  }

  private onClose(generation: number, error: unknown): void {
    if (generation !== this.generation) return;
    this.stopLiveness();
    this.dropSocket();
    if (this.stopping) {
      // sock.end() during stop also closes the socket: that is not a failure.
      this.setState(WhatsappState.STOPPED);
      return;
    }
    const code = disconnectStatusCode(error);
    const decision = decideOnDisconnect(code);
    const wasShowingQr = this.state === WhatsappState.QR_REQUIRED;
    this.lastError = decision.reason;
    this.qr = null;
    switch (decision.action) {
      case 'restart-now':
        // Normal once after pairing; a socket that keeps asking to restart is backed off like
        // any other failure instead of looping at full speed.
        if (++this.restartsSinceOpen > MAX_IMMEDIATE_RESTARTS) {
          this.scheduleReconnect();
          return;
        }
        void this.openSocket(WhatsappState.CONNECTING);
        return;
      case 'logged-out': {
        this.phoneNumber = null;
        const closed = this.generation;
        this.afterCredsWrites(() => this.options.store.clear(this.servicePointId))
          .catch((err: Error) =>
            this.logger.error(
              { servicePointId: this.servicePointId, err: err.message },
              'could not delete credentials',
            ),
          )
          .finally(() => {
            // A start() or stop() since the close owns the state now.
            if (closed === this.generation) this.setState(WhatsappState.LOGGED_OUT);
          });
        return;
      }
      case 'fail':
        this.setState(WhatsappState.FAILED);
        return;
      case 'retry':
        if (wasShowingQr && code === 408) {
          // Baileys ran out of QR codes: the pairing window closed without a scan.
          this.lastError = 'qr_not_scanned';
          this.setState(WhatsappState.STOPPED);
          return;
        }
        this.scheduleReconnect();
        return;
    }
  }

  private scheduleReconnect(): void {
    this.attempt++;
    if (this.attempt > this.options.maxReconnectAttempts) {
      this.attempt = this.options.maxReconnectAttempts;
      this.lastError = 'gave_up';
      this.nextRetryAt = null;
      this.setState(WhatsappState.FAILED);
      return;
    }
    const delay = backoffDelay(this.attempt, this.options.backoff);
    this.nextRetryAt = new Date(Date.now() + delay);
    this.setState(WhatsappState.DISCONNECTED, true);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.nextRetryAt = null;
      void this.openSocket(WhatsappState.CONNECTING);
    }, delay);
    this.retryTimer.unref?.();
  }

  private startLiveness(generation: number): void {
    this.stopLiveness();
    const every = this.options.livenessIntervalMs ?? 30_000;
    this.livenessTimer = setInterval(() => {
      if (generation !== this.generation || this.state !== WhatsappState.CONNECTED) return;
      if (this.sock?.ws?.isOpen === false) {
        // Looks connected, is dead: treat it as a lost connection and reconnect.
        this.logger.warn(
          { servicePointId: this.servicePointId },
          'socket no longer open; reconnecting',
        );
        this.onClose(generation, { output: { statusCode: 428 } });
      }
    }, every);
    this.livenessTimer.unref?.();
  }

  private stopLiveness(): void {
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.livenessTimer = undefined;
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.stopLiveness();
  }

  /** Forgets the current socket (its late events are ignored) and closes it. */
  private dropSocket(): void {
    const sock = this.sock;
    this.sock = undefined;
    this.generation++;
    if (!sock) return;
    try {
      sock.ev.removeAllListeners?.();
      sock.end(undefined);
    } catch {
      // Ending an already closed socket may throw; it is gone either way.
    }
  }

  /** Runs `write` after the credential writes already queued; the next load waits for it. */
  private afterCredsWrites(write: () => Promise<unknown>): Promise<void> {
    const run = this.credsWrites.then(write);
    this.credsWrites = run.catch(() => undefined);
    return run.then(() => undefined);
  }

  private setState(state: WhatsappState, force = false): void {
    if (state === this.state && !force) return;
    if (state !== this.state) this.since = new Date();
    this.state = state;
    this.emit('status', this.status());
  }

  private rememberSent(id: string): void {
    this.sentIds.add(id);
    if (this.sentIds.size > SENT_IDS_KEPT) {
      const oldest = this.sentIds.values().next().value;
      if (oldest !== undefined) this.sentIds.delete(oldest);
    }
  }
}
