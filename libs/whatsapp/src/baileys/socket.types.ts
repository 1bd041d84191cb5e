import type { AuthenticationState } from '@whiskeysockets/baileys';

/**
 * The part of a Baileys socket the session uses. The real one comes from makeWASocket; tests pass
 * a fake whose `ev` is an EventEmitter and drive it through every transition.
 */
export interface BaileysSocketLike {
  ev: {
    on(event: string, listener: (arg: unknown) => void): unknown;
    removeAllListeners?(event?: string): unknown;
  };
  ws?: { isOpen?: boolean };
  user?: { id: string; name?: string } | undefined;
  end(error: Error | undefined): void;
  logout(msg?: string): Promise<void>;
  sendMessage(
    jid: string,
    content: { text: string },
    options?: { messageId?: string },
  ): Promise<{ key?: { id?: string | null } } | undefined>;
}

export interface SocketFactoryOptions {
  servicePointId: string;
  auth: AuthenticationState;
}

export type SocketFactory = (options: SocketFactoryOptions) => BaileysSocketLike;

/** Injection token for the socket factory (the real Baileys one unless a test overrides it). */
export const SOCKET_FACTORY = Symbol('SOCKET_FACTORY');
