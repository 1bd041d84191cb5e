import type { WhatsappState } from '@bandeja/core';
import { EventEmitter } from 'node:events';

/** What kind of content an inbound message carried; text-less kinds get a readable placeholder. */
export type InboundKind =
  'text' | 'image' | 'video' | 'audio' | 'document' | 'sticker' | 'location' | 'contact' | 'other';

/**
 * One message from a customer's chat, the same shape whatever the provider (Baileys, Simulator,
 * later the Cloud API). Everything after the channel edge speaks this.
 */
export interface InboundMessage {
  servicePointId: string;
  /** The provider's id of the message; unique per point (the database enforces it). */
  providerMessageId: string;
  /** The customer's phone in E.164 (+59170000001). */
  customerPhone: string;
  /** WhatsApp display name, when the provider gives one. */
  pushName: string | null;
  /** The text, or a placeholder such as "[sticker]" for content without text. */
  text: string;
  kind: InboundKind;
  /**
   * Typed on the branch's own phone (not sent by Bandeja): a person is talking there, so it is
   * stored as an AGENT message and pauses the bot for that conversation.
   */
  fromMe: boolean;
  timestamp: Date;
}

export type ReceiptStatus = 'DELIVERED' | 'READ' | 'FAILED';

/** A delivery/read receipt for a message Bandeja sent. */
export interface ReceiptEvent {
  servicePointId: string;
  providerMessageId: string;
  status: ReceiptStatus;
  at: Date;
}

export interface QrCode {
  qr: string;
  expiresAt: Date;
}

/** The honest state of one point's session, as the contract's GET .../whatsapp returns it. */
export interface SessionStatus {
  state: WhatsappState;
  connected: boolean;
  canSendMessages: boolean;
  needsQr: boolean;
  recommendedAction: string;
  phoneNumber: string | null;
  lastQrAt: Date | null;
  lastError: string | null;
  since: Date;
  /** Present while state is QR_REQUIRED. */
  qr: QrCode | null;
  /** Reconnect attempts since the last successful connection. */
  attempt: number;
  nextRetryAt: Date | null;
}

export interface ChannelSessionEvents {
  status: [SessionStatus];
  inbound: [InboundMessage];
  receipt: [ReceiptEvent];
}

/** One point's connection to WhatsApp. Implementations: Baileys, Simulator. */
export interface ChannelSession {
  readonly servicePointId: string;
  /** Starts (or restarts) the connection; resolves once the attempt is under way. */
  start(): Promise<void>;
  /** Closes the connection and keeps credentials. */
  stop(): Promise<void>;
  /** Unlinks the device and deletes stored credentials: the next start needs a new QR. */
  logout(): Promise<void>;
  /**
   * Sends a text; resolves with the provider's message id. Throws WhatsappNotReadyError when it
   * cannot. `messageId` makes a re-send after a crash the same WhatsApp message, not a second one.
   */
  send(to: string, text: string, options?: SendOptions): Promise<{ providerMessageId: string }>;
  status(): SessionStatus;
  on<E extends keyof ChannelSessionEvents>(
    event: E,
    listener: (...args: ChannelSessionEvents[E]) => void,
  ): this;
  off<E extends keyof ChannelSessionEvents>(
    event: E,
    listener: (...args: ChannelSessionEvents[E]) => void,
  ): this;
}

export interface SendOptions {
  /** The provider message id to use (deterministic per outbound row). */
  messageId?: string;
}

export class WhatsappNotReadyError extends Error {
  constructor(
    readonly servicePointId: string,
    readonly state: WhatsappState,
    message = `The WhatsApp session of this service point cannot send messages (state ${state})`,
  ) {
    super(message);
    this.name = 'WhatsappNotReadyError';
  }
}

/** The event emitter every `ChannelSession` is: `on`/`off` typed by `ChannelSessionEvents`. */
export class ChannelSessionEmitter extends EventEmitter {
  override on<E extends keyof ChannelSessionEvents>(
    event: E,
    listener: (...args: ChannelSessionEvents[E]) => void,
  ): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  override off<E extends keyof ChannelSessionEvents>(
    event: E,
    listener: (...args: ChannelSessionEvents[E]) => void,
  ): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }
}
