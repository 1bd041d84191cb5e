import type { WhatsappState } from '@bandeja/core';

export interface ActionFacts {
  state: WhatsappState;
  lastError: string | null;
  attempt: number;
  maxAttempts: number;
  nextRetryAt: Date | null;
  qrExpiresAt: Date | null;
  now: Date;
}

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/** One sentence telling a person what is going on and what, if anything, to do. */
export function recommendedAction(f: ActionFacts): string {
  switch (f.state) {
    case 'STOPPED':
      return f.lastError === 'qr_not_scanned'
        ? 'No QR code was scanned in time. Press Connect to get a new one.'
        : 'The session is stopped. Press Connect to start it.';
    case 'INITIALIZING':
      return 'Starting the session…';
    case 'QR_REQUIRED': {
      const left = f.qrExpiresAt ? seconds(f.qrExpiresAt.getTime() - f.now.getTime()) : 0;
      return `Scan the QR code within ${left} second${left === 1 ? '' : 's'}: WhatsApp on the branch's phone › Linked devices › Link a device.`;
    }
    case 'CONNECTING':
      return f.attempt > 0
        ? `Reconnecting (attempt ${f.attempt} of ${f.maxAttempts})…`
        : 'Connecting to WhatsApp…';
    case 'CONNECTED':
      return 'Connected. Nothing to do.';
    case 'DISCONNECTED': {
      const wait = f.nextRetryAt ? seconds(f.nextRetryAt.getTime() - f.now.getTime()) : 0;
      return `Reconnecting (attempt ${f.attempt} of ${f.maxAttempts}, next in ${wait} s). Check the server's internet connection if this persists.`;
    }
    case 'LOGGED_OUT':
      return 'This device was unlinked from WhatsApp. Press Connect and scan a new QR code.';
    case 'FAILED':
      switch (f.lastError) {
        case 'connection_replaced':
          return 'WhatsApp was opened for this number somewhere else (another Bandeja or WhatsApp Web). Close the other session, then press Connect.';
        case 'forbidden':
          return 'WhatsApp refused this number (it may be banned or restricted). Check the phone, then press Connect.';
        case 'multidevice_mismatch':
          return "The phone's WhatsApp does not support linked devices as expected. Update WhatsApp on the phone, then press Connect.";
        case 'gave_up':
          return `Could not reconnect after ${f.maxAttempts} attempts. Check the server's internet connection, then press Connect.`;
        default:
          return `The session stopped with an error (${f.lastError ?? 'unknown'}). Press Connect to try again.`;
      }
  }
}
