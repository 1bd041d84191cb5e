import { proto, type WAMessageUpdate } from '@whiskeysockets/baileys';
import type { ReceiptEvent, ReceiptStatus } from '../channel/channel.types';

const { Status } = proto.WebMessageInfo;

/**
 * Receipt statuses worth telling the inbox about. PENDING and SERVER_ACK are left out: `send()`
 * resolving already marks a message SENT. PLAYED (a voice note was listened to) implies read.
 */
const RECEIPT_STATUS = new Map<number, ReceiptStatus>([
  [Status.DELIVERY_ACK, 'DELIVERED'],
  [Status.READ, 'READ'],
  [Status.PLAYED, 'READ'],
  [Status.ERROR, 'FAILED'],
]);

/** Baileys sends the enum number; a status that went through JSON may be the enum's name. */
function statusNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(Status, value)) {
    return (Status as unknown as Record<string, number>)[value];
  }
  return undefined;
}

/**
 * `messages.update` → receipts for messages sent from this number. Updates about the customer's
 * messages (our own read marks), edits, and anything without a status are ignored. `at` is now:
 * Baileys' update carries no time of its own.
 */
export function normalizeReceipts(
  updates: WAMessageUpdate[],
  servicePointId: string,
): ReceiptEvent[] {
  const at = new Date();
  const out: ReceiptEvent[] = [];
  for (const item of updates ?? []) {
    const key = item?.key;
    if (!key?.fromMe || !key.id) continue;
    const code = statusNumber(item.update?.status);
    const status = code === undefined ? undefined : RECEIPT_STATUS.get(code);
    if (!status) continue;
    out.push({ servicePointId, providerMessageId: key.id, status, at });
  }
  return out;
}
