import { WhatsappState } from '@bandeja/core';
import { randomUUID } from 'node:crypto';
import type { ChannelSession, SendOptions, SessionStatus } from '../channel/channel.types';
import { ChannelSessionEmitter, WhatsappNotReadyError } from '../channel/channel.types';

/**
 * A connected WhatsApp number without a phone, for demos, the console's customer panel and
 * tests. Inbound messages enter through the HTTP endpoint into the same pipeline as Baileys';
 * outbound messages are accepted at once.
 */
export class SimulatorSession extends ChannelSessionEmitter implements ChannelSession {
  private state: WhatsappState = WhatsappState.STOPPED;
  private since = new Date();
  /** Every message "sent", newest last (bounded), so demos and tests can look at them. */
  readonly outbox: { providerMessageId: string; to: string; text: string; at: Date }[] = [];

  constructor(readonly servicePointId: string) {
    super();
  }

  async start(): Promise<void> {
    this.setState(WhatsappState.CONNECTED);
  }

  async stop(): Promise<void> {
    this.setState(WhatsappState.STOPPED);
  }

  async logout(): Promise<void> {
    this.setState(WhatsappState.LOGGED_OUT);
  }

  async send(
    to: string,
    text: string,
    options: SendOptions = {},
  ): Promise<{ providerMessageId: string }> {
    if (this.state !== WhatsappState.CONNECTED)
      throw new WhatsappNotReadyError(this.servicePointId, this.state);
    const providerMessageId = options.messageId ?? `sim-${randomUUID()}`;
    this.outbox.push({ providerMessageId, to, text, at: new Date() });
    if (this.outbox.length > 1000) this.outbox.shift();
    return { providerMessageId };
  }

  status(): SessionStatus {
    const connected = this.state === WhatsappState.CONNECTED;
    return {
      state: this.state,
      connected,
      canSendMessages: connected,
      needsQr: false,
      recommendedAction: connected
        ? 'Simulator connected. Send customer messages from the console or the simulator API.'
        : 'The simulator is stopped. Press Connect to start it.',
      phoneNumber: null,
      lastQrAt: null,
      lastError: null,
      since: this.since,
      qr: null,
      attempt: 0,
      nextRetryAt: null,
    };
  }

  private setState(state: WhatsappState): void {
    if (state === this.state) return;
    this.state = state;
    this.since = new Date();
    this.emit('status', this.status());
  }
}
