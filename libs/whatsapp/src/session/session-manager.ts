import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import {
  AppConfig,
  ChannelProviderKind,
  DomainEvents,
  PrismaService,
  RedisService,
  WhatsappState,
} from '@bandeja/core';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AUTH_STATE_STORE } from '../auth-state/auth-state-store';
import type { AuthStateStore } from '../auth-state/auth-state-store';
import { BaileysSession } from '../baileys/baileys-session';
import { SOCKET_FACTORY } from '../baileys/socket.types';
import type { SocketFactory } from '../baileys/socket.types';
import type { ChannelSession, SendOptions, SessionStatus } from '../channel/channel.types';
import { WhatsappNotReadyError } from '../channel/channel.types';
import { SimulatorSession } from '../simulator/simulator-session';
import { INBOUND_SINK } from './inbound-sink';
import type { InboundSink } from './inbound-sink';
import { SessionBus, SessionCommand, toStored } from './session-bus';

const MAINTENANCE_EVERY_MS = 10_000;

interface Owned {
  session: ChannelSession;
  provider: ChannelProviderKind;
  lastDbState?: WhatsappState;
  lastDbQrAt?: string | null;
  lastQr?: string | null;
  /** Settles when the row write of the latest status event is done (see onStatus). */
  rowTurn?: Promise<void>;
}

/**
 * Owns the WhatsApp sessions of this worker: one per service point, each held through a Redis
 * lease so that exactly one worker runs a point. Starts what should run on boot (staggered),
 * adopts sessions whose worker died, executes connect/disconnect/logout commands from the api,
 * and publishes every status change (Redis snapshot + event, and the point's row). One point's
 * trouble stays in that point's session object.
 */
@Injectable()
export class SessionManager implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SessionManager.name);
  private readonly sessions = new Map<string, Owned>();
  private subscriber?: Redis;
  private maintenance?: NodeJS.Timeout;
  private startChain: Promise<void> = Promise.resolve();
  private closing = false;
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
    private readonly bus: SessionBus,
    private readonly config: AppConfig,
    private readonly events: DomainEvents,
    @Inject(AUTH_STATE_STORE) private readonly store: AuthStateStore,
    @Inject(SOCKET_FACTORY) private readonly socketFactory: SocketFactory,
    @Optional() @Inject(INBOUND_SINK) private readonly sink?: InboundSink,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber = this.redis.duplicate('wa-commands');
    this.subscriber.on('message', (_channel: string, raw: string) => {
      let command: SessionCommand;
      try {
        command = JSON.parse(raw) as SessionCommand;
      } catch {
        return;
      }
      this.handle(command).catch((err: Error) =>
        this.logger.error(
          { servicePointId: command.servicePointId, op: command.op, err: err.message },
          'session command failed',
        ),
      );
    });
    await this.subscriber.subscribe(this.bus.commandsChannel);
    await this.adoptOrphans();
    this.maintenance = setInterval(() => void this.maintain(), MAINTENANCE_EVERY_MS);
    this.maintenance.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearInterval(this.maintenance);
    await this.subscriber?.unsubscribe().catch(() => undefined);
    // Stop our sockets but leave auto-start alone: a restart (or another worker) resumes them.
    await Promise.all(
      [...this.sessions.keys()].map(async (id) => {
        const owned = this.sessions.get(id);
        await owned?.session.stop().catch(() => undefined);
        await this.release(id);
      }),
    );
    await this.startChain.catch(() => undefined);
  }

  /** The session of a point if this worker runs it. */
  get(servicePointId: string): ChannelSession | undefined {
    return this.sessions.get(servicePointId)?.session;
  }

  ownedIds(): string[] {
    return [...this.sessions.keys()];
  }

  /** Sends through the point's own session; fails fast when it cannot send. */
  async send(
    servicePointId: string,
    to: string,
    text: string,
    options?: SendOptions,
  ): Promise<{ providerMessageId: string }> {
    const session = this.get(servicePointId);
    if (!session)
      throw new WhatsappNotReadyError(
        servicePointId,
        WhatsappState.STOPPED,
        'No session of this service point runs in this worker',
      );
    return session.send(to, text, options);
  }

  /** Executes a command if this worker owns the point or can take it. */
  async handle(command: SessionCommand): Promise<void> {
    const { servicePointId: id, op } = command;
    if (this.closing) return;
    if (!this.sessions.has(id) && !(await this.bus.acquireLease(id, this.workerId))) return;
    const point = await this.prisma.servicePoint.findUnique({
      where: { id },
      select: { id: true, provider: true },
    });
    if (!point) {
      await this.drop(id);
      return;
    }
    const owned = this.ensure(id, point.provider);
    switch (op) {
      case 'connect':
        await this.setAutoStart(id, true);
        await owned.session.start();
        return;
      case 'disconnect':
        await this.setAutoStart(id, false);
        await owned.session.stop();
        await this.drop(id);
        return;
      case 'logout':
        await this.setAutoStart(id, false);
        await owned.session.logout();
        await this.drop(id);
        return;
    }
  }

  /** Starts every point that should run and that no live worker holds (boot and takeover). */
  async adoptOrphans(): Promise<number> {
    if (this.closing) return 0;
    const points = await this.prisma.servicePoint.findMany({
      where: { whatsappAutoStart: true },
      select: { id: true, provider: true },
      orderBy: { createdAt: 'asc' },
    });
    let adopted = 0;
    for (const point of points) {
      if (this.sessions.has(point.id)) continue;
      if (!(await this.bus.acquireLease(point.id, this.workerId))) continue;
      adopted++;
      const owned = this.ensure(point.id, point.provider);
      if (point.provider === ChannelProviderKind.SIMULATOR) {
        await owned.session.start();
      } else {
        this.queueStart(owned.session);
      }
    }
    return adopted;
  }

  /** Resolves once every queued (staggered) start has been issued. */
  whenStarted(): Promise<void> {
    return this.startChain;
  }

  private queueStart(session: ChannelSession): void {
    const stagger = this.config.WA_START_STAGGER_MS;
    this.startChain = this.startChain
      .then(async () => {
        if (this.closing || this.get(session.servicePointId) !== session) return;
        await session.start();
        if (stagger > 0) await new Promise((resolve) => setTimeout(resolve, stagger));
      })
      .catch((err: Error) =>
        this.logger.error(
          { servicePointId: session.servicePointId, err: err.message },
          'session start failed',
        ),
      );
  }

  private async maintain(): Promise<void> {
    try {
      for (const id of this.ownedIds()) {
        if (await this.bus.renewLease(id, this.workerId)) {
          await this.bus.touchStatus(id);
        } else {
          // Another worker holds this point now: let go rather than fight over the number.
          this.logger.warn({ servicePointId: id }, 'lease lost; stopping the local session');
          // Forget it before stopping, so that its STOPPED is not published over the new
          // owner's snapshot and row.
          const owned = this.sessions.get(id);
          this.sessions.delete(id);
          await owned?.session.stop();
        }
      }
      await this.adoptOrphans();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'session maintenance failed');
    }
  }

  private ensure(id: string, provider: ChannelProviderKind): Owned {
    const existing = this.sessions.get(id);
    if (existing) return existing;
    const session: ChannelSession =
      provider === ChannelProviderKind.SIMULATOR
        ? new SimulatorSession(id)
        : new BaileysSession({
            servicePointId: id,
            store: this.store,
            socketFactory: this.socketFactory,
            maxReconnectAttempts: this.config.WA_MAX_RECONNECT_ATTEMPTS,
            backoff: {
              baseMs: this.config.WA_BACKOFF_BASE_MS,
              maxMs: this.config.WA_BACKOFF_MAX_MS,
              jitter: 0.2,
            },
            maxQrCodes: this.config.WA_MAX_QR_CODES,
          });
    const owned: Owned = { session, provider };
    session.on('status', (status) => void this.onStatus(id, owned, status));
    session.on('inbound', (message) => {
      this.sink
        ?.accept(message)
        .catch((err: Error) =>
          this.logger.error({ servicePointId: id, err: err.message }, 'inbound message not stored'),
        );
    });
    session.on('receipt', (receipt) => {
      this.sink
        ?.receipt(receipt)
        .catch((err: Error) =>
          this.logger.warn({ servicePointId: id, err: err.message }, 'receipt not applied'),
        );
    });
    this.sessions.set(id, owned);
    return owned;
  }

  private async onStatus(id: string, owned: Owned, status: SessionStatus): Promise<void> {
    if (this.sessions.get(id) !== owned) return;
    const stored = toStored(status, this.workerId);
    const qrChanged = (stored.qr?.qr ?? null) !== (owned.lastQr ?? null);
    owned.lastQr = stored.qr?.qr ?? null;
    // Events of a point write its row one at a time, in the order they happened: two updates in
    // flight at once may commit in either order (each on its own pool connection) and leave a
    // stale state in the row, e.g. QR_REQUIRED after CONNECTED.
    const previous = owned.rowTurn ?? Promise.resolve();
    let done!: () => void;
    owned.rowTurn = new Promise<void>((resolve) => (done = resolve));
    try {
      await this.bus.publishStatus(id, stored, qrChanged);
      await previous;
      if (owned.lastDbState !== status.state || owned.lastDbQrAt !== stored.lastQrAt) {
        if (owned.lastDbState !== status.state) {
          const { workerId: _w, qr: _qr, ...state } = stored;
          await this.events.publish('whatsapp.state', id, state);
        }
        owned.lastDbState = status.state;
        owned.lastDbQrAt = stored.lastQrAt;
        // States that need a person end auto-start: a restart must not loop on them.
        const needsPerson =
          status.state === WhatsappState.FAILED ||
          status.state === WhatsappState.LOGGED_OUT ||
          (status.state === WhatsappState.STOPPED && status.lastError === 'qr_not_scanned');
        await this.prisma.servicePoint.updateMany({
          where: { id },
          data: {
            whatsappStatus: status.state,
            ...(status.lastQrAt ? { lastQrAt: status.lastQrAt } : {}),
            ...(status.state === WhatsappState.CONNECTED ? { whatsappAutoStart: true } : {}),
            ...(needsPerson ? { whatsappAutoStart: false } : {}),
            ...(status.phoneNumber ? { phoneNumber: status.phoneNumber } : {}),
          },
        });
      }
    } catch (err) {
      this.logger.warn(
        { servicePointId: id, err: (err as Error).message },
        'could not publish session status',
      );
    } finally {
      void previous.then(done);
    }
  }

  private async setAutoStart(id: string, value: boolean): Promise<void> {
    await this.prisma.servicePoint.updateMany({
      where: { id },
      data: { whatsappAutoStart: value },
    });
  }

  /** Forgets a point after disconnect/logout: its last status stays in the row, not in Redis. */
  private async drop(id: string): Promise<void> {
    this.sessions.delete(id);
    await this.release(id);
  }

  private async release(id: string): Promise<void> {
    await this.bus.clearStatus(id).catch(() => undefined);
    await this.bus.releaseLease(id, this.workerId).catch(() => undefined);
  }
}
