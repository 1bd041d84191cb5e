import type { AuthenticationCreds, WAMessage, WAMessageUpdate } from '@whiskeysockets/baileys';
import { EventEmitter } from 'node:events';
import type {
  BaileysSocketLike,
  SocketFactory,
  SocketFactoryOptions,
} from '../baileys/socket.types';

/**
 * A stand-in for a Baileys socket, for tests and benchmarks: nothing touches the network. `ev` is
 * a plain EventEmitter that the test drives (`emitQr`, `open`, `close`, `emitUpsert`, …), and
 * what the session does to the socket is recorded (`ended`, `loggedOut`, `sent`).
 *
 * It behaves like the real socket where the session depends on it: a closed socket stays dead
 * (`end` is idempotent, `sendMessage` fails), `end()` emits `connection: 'close'`, `logout()`
 * ends the socket with a 401, and `user` is the paired identity once the connection is open.
 */
export class FakeSocket implements BaileysSocketLike {
  readonly ev = new EventEmitter();
  readonly ws = { isOpen: true };
  user: { id: string; name?: string } | undefined;
  /** True once the socket closed, whether the session ended it or the driver closed it. */
  ended = false;
  /** The error passed to every `end()` call made by the session (the driver's `close` is not one). */
  readonly endCalls: (Error | undefined)[] = [];
  loggedOut = false;
  /** Every message the session sent through this socket, in order. */
  readonly sent: { jid: string; text: string; id: string }[] = [];
  /** Every QR this socket showed. */
  readonly qrs: string[] = [];
  private nextId = 1;

  constructor(
    /** What the factory was called with: the point and the auth state the socket runs on. */
    readonly options: SocketFactoryOptions,
    /** Distinguishes the sockets of one factory in message ids ("FAKE3-1"). */
    readonly serial = 1,
  ) {}

  get servicePointId(): string {
    return this.options.servicePointId;
  }

  get creds(): AuthenticationCreds {
    return this.options.auth.creds;
  }

  // --- what the session calls -----------------------------------------------------------------

  end(error: Error | undefined): void {
    this.endCalls.push(error);
    // Like Baileys: without an error the close carries no status code.
    this.die(error ?? closedWithoutCode());
  }

  async logout(): Promise<void> {
    this.loggedOut = true;
    // Baileys ends its own socket with 401 after unlinking the device.
    this.die(boom('Intentional Logout', 401));
  }

  async sendMessage(
    jid: string,
    content: { text: string },
    options?: { messageId?: string },
  ): Promise<{ key: { id: string; remoteJid: string; fromMe: true } }> {
    if (this.ended || !this.ws.isOpen) throw boom('Connection Closed', 428);
    // Like Baileys: the caller may choose the id (Bandeja does, one per outbound row).
    const id = options?.messageId ?? `FAKE${this.serial}-${this.nextId++}`;
    this.sent.push({ jid, text: content.text, id });
    return { key: { id, remoteJid: jid, fromMe: true } };
  }

  // --- what the test drives -------------------------------------------------------------------

  emitQr(qr = `fake-qr-${this.serial}-${this.qrs.length + 1}`): string {
    this.qrs.push(qr);
    this.ev.emit('connection.update', { qr });
    return qr;
  }

  /** The connection is up as `userJid` (the paired identity Baileys exposes as `sock.user`). */
  open(userJid = '59170000000:3@s.whatsapp.net'): void {
    this.user = { id: userJid, name: 'Sucursal' };
    this.ev.emit('connection.update', { connection: 'open' });
  }

  /** WhatsApp or the network closed the socket, with `lastDisconnect.error.output.statusCode`. */
  close(statusCode?: number): void {
    this.die(boom(`Closed by the fake (${statusCode ?? 'no code'})`, statusCode));
  }

  /** `messages.upsert`, by default as live traffic (`notify`). */
  emitUpsert(messages: WAMessage[] | WAMessage, type: 'notify' | 'append' = 'notify'): void {
    this.ev.emit('messages.upsert', {
      messages: Array.isArray(messages) ? messages : [messages],
      type,
    });
  }

  /** `messages.update` (receipts, edits). */
  emitMessagesUpdate(updates: WAMessageUpdate[]): void {
    this.ev.emit('messages.update', updates);
  }

  /** Merges `update` into the live creds, as Baileys does, and tells the session to save them. */
  emitCredsUpdate(update: Partial<AuthenticationCreds> = {}): void {
    Object.assign(this.options.auth.creds, update);
    this.ev.emit('creds.update', update);
  }

  /** Marks a paired device in the creds (what a QR scan does), then emits `creds.update`. */
  pair(userJid = '59170000000:3@s.whatsapp.net'): void {
    this.emitCredsUpdate({ me: { id: userJid, name: 'Sucursal' }, registered: true });
  }

  private die(error: unknown): void {
    if (this.ended) return; // a closed socket closes once
    this.ended = true;
    this.ws.isOpen = false;
    // Synchronously, the harshest order for the session: the close arrives while end() runs.
    this.ev.emit('connection.update', {
      connection: 'close',
      lastDisconnect: { error, date: new Date() },
    });
  }
}

/** A Boom-shaped error as Baileys puts in `lastDisconnect.error`. */
function boom(message: string, statusCode: number | undefined): Error {
  return Object.assign(new Error(message), {
    isBoom: true,
    output: { statusCode, payload: { statusCode, message } },
  });
}

function closedWithoutCode(): Error {
  return Object.assign(new Error('Connection Terminated'), { isBoom: true, output: {} });
}

/** Scripts what a new socket does on its own (open at once, show a QR, …). */
export type FakeSocketBehaviour = (sock: FakeSocket, options: SocketFactoryOptions) => void;

export interface FakeSocketFactory {
  factory: SocketFactory;
  /** Every socket created, oldest first. */
  sockets: FakeSocket[];
  /** The sockets of one point, oldest first. */
  byPoint(servicePointId: string): FakeSocket[];
  /** The newest socket of a point. */
  last(servicePointId: string): FakeSocket | undefined;
}

/**
 * A socket factory for the session or the manager. `behaviour` runs on a microtask after the
 * socket is handed over, like a real socket that emits only after connecting, so the session has
 * attached its listeners. Example: open at once when the creds are paired, else show a QR.
 */
export function createFakeSocketFactory(behaviour?: FakeSocketBehaviour): FakeSocketFactory {
  const sockets: FakeSocket[] = [];
  const byPoint = (id: string) => sockets.filter((s) => s.servicePointId === id);
  const factory: SocketFactory = (options) => {
    const sock = new FakeSocket(options, sockets.length + 1);
    sockets.push(sock);
    if (behaviour) {
      // A promise job, not queueMicrotask/nextTick: those are faked by Jest's fake timers.
      void Promise.resolve().then(() => {
        if (!sock.ended) behaviour(sock, options);
      });
    }
    return sock;
  };
  return { factory, sockets, byPoint, last: (id) => byPoint(id).at(-1) };
}

/** The behaviour of a real socket on a phone that does its part: paired creds open, else a QR. */
export const opensWhenPaired: FakeSocketBehaviour = (sock, { auth }) => {
  if (auth.creds.me) sock.open(auth.creds.me.id);
  else sock.emitQr();
};
