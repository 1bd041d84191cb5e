import { Injectable } from '@nestjs/common';
import { AppConfig, AppError, PrismaService, WhatsappState } from '@bandeja/core';
import { recommendedAction } from '../session/recommended-action';
import { SessionBus, StoredStatus } from '../session/session-bus';

export interface SessionStatusView {
  state: WhatsappState;
  connected: boolean;
  canSendMessages: boolean;
  needsQr: boolean;
  recommendedAction: string;
  phoneNumber: string | null;
  lastQrAt: string | null;
  lastError: string | null;
  since: string;
  attempt: number;
  nextRetryAt: string | null;
  qrExpiresAt: string | null;
}

const AT_REST: WhatsappState[] = [
  WhatsappState.STOPPED,
  WhatsappState.LOGGED_OUT,
  WhatsappState.FAILED,
];

/**
 * The api's view of a session: the snapshot its owning worker keeps in Redis (which expires when
 * that worker dies), or, without one, what the point's row can honestly say.
 */
@Injectable()
export class SessionStatusService {
  constructor(
    private readonly bus: SessionBus,
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
  ) {}

  async get(servicePointId: string): Promise<SessionStatusView> {
    const stored = await this.bus.readStatus(servicePointId);
    if (stored) return this.fromStored(stored);
    const point = await this.prisma.servicePoint.findUnique({
      where: { id: servicePointId },
      select: {
        whatsappStatus: true,
        whatsappAutoStart: true,
        lastQrAt: true,
        phoneNumber: true,
        updatedAt: true,
      },
    });
    if (!point) throw AppError.notFound('Service point');
    // Nobody runs this session now: whatever the row last said, it cannot send.
    const state =
      AT_REST.includes(point.whatsappStatus) && !point.whatsappAutoStart
        ? point.whatsappStatus
        : WhatsappState.STOPPED;
    const lastError = point.whatsappAutoStart ? 'no_worker' : null;
    return {
      state,
      connected: false,
      canSendMessages: false,
      needsQr: state === WhatsappState.LOGGED_OUT,
      recommendedAction: point.whatsappAutoStart
        ? 'No worker is running this session right now; it resumes as soon as a worker is up. Check the worker process.'
        : recommendedAction({
            state,
            lastError,
            attempt: 0,
            maxAttempts: this.config.WA_MAX_RECONNECT_ATTEMPTS,
            nextRetryAt: null,
            qrExpiresAt: null,
            now: new Date(),
          }),
      phoneNumber: point.phoneNumber,
      lastQrAt: point.lastQrAt?.toISOString() ?? null,
      lastError,
      since: point.updatedAt.toISOString(),
      attempt: 0,
      nextRetryAt: null,
      qrExpiresAt: null,
    };
  }

  /** The current QR while one is showing and has not expired. */
  async qr(servicePointId: string): Promise<{ qr: string; expiresAt: string }> {
    const status = await this.bus.readStatus(servicePointId);
    if (status?.state === WhatsappState.CONNECTED) {
      throw AppError.conflict(
        'already_connected',
        'This service point is already connected to WhatsApp',
      );
    }
    if (
      status?.state === WhatsappState.QR_REQUIRED &&
      status.qr &&
      new Date(status.qr.expiresAt).getTime() > Date.now()
    ) {
      return status.qr;
    }
    const state = status?.state ?? (await this.get(servicePointId)).state;
    throw AppError.conflict(
      'qr_not_available',
      `No QR code to scan right now (state ${state}); press Connect to get one`,
      { state },
    );
  }

  private fromStored(s: StoredStatus): SessionStatusView {
    const now = new Date();
    return {
      state: s.state,
      connected: s.connected,
      canSendMessages: s.canSendMessages,
      needsQr: s.needsQr,
      // Recomputed now: "within N seconds" and "next in N s" must not be stale.
      recommendedAction:
        s.state === WhatsappState.QR_REQUIRED || s.state === WhatsappState.DISCONNECTED
          ? recommendedAction({
              state: s.state,
              lastError: s.lastError,
              attempt: s.attempt,
              maxAttempts: this.config.WA_MAX_RECONNECT_ATTEMPTS,
              nextRetryAt: s.nextRetryAt ? new Date(s.nextRetryAt) : null,
              qrExpiresAt: s.qr ? new Date(s.qr.expiresAt) : null,
              now,
            })
          : s.recommendedAction,
      phoneNumber: s.phoneNumber,
      lastQrAt: s.lastQrAt,
      lastError: s.lastError,
      since: s.since,
      attempt: s.attempt,
      nextRetryAt: s.nextRetryAt,
      qrExpiresAt: s.qr?.expiresAt ?? null,
    };
  }
}
