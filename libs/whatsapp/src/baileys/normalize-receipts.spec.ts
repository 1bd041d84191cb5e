import { proto, type WAMessageUpdate } from '@whiskeysockets/baileys';
import type { ReceiptEvent } from '../channel/channel.types';
import { normalizeReceipts } from './normalize-receipts';

const POINT = 'sp_centro';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const { Status } = proto.WebMessageInfo;

/** Shaped like the `messages.update` entries Baileys emits when a receipt arrives. */
function receipt(status: unknown, key: Partial<WAMessageUpdate['key']> = {}): WAMessageUpdate {
  return {
    key: {
      remoteJid: '59170000001@s.whatsapp.net',
      fromMe: true,
      id: '3EB0C8A1F2D3E4B5A697',
      participant: undefined,
      ...key,
    },
    update: { status: status as WAMessageUpdate['update']['status'] },
  };
}

beforeAll(() => {
  jest.useFakeTimers({ now: NOW });
});
afterAll(() => {
  jest.useRealTimers();
});

describe('normalizeReceipts', () => {
  const rows: Array<[string, WAMessageUpdate, ReceiptEvent['status'] | null]> = [
    ['DELIVERY_ACK → DELIVERED', receipt(Status.DELIVERY_ACK), 'DELIVERED'],
    ['READ → READ', receipt(Status.READ), 'READ'],
    ['PLAYED (voice note listened) → READ', receipt(Status.PLAYED), 'READ'],
    ['ERROR → FAILED', receipt(Status.ERROR), 'FAILED'],
    ['status given by enum name (after JSON)', receipt('DELIVERY_ACK'), 'DELIVERED'],
    [
      'receipt on a LID-addressed chat',
      receipt(Status.READ, { remoteJid: '123456789012345@lid' }),
      'READ',
    ],
    ['SERVER_ACK is ignored (send() already marked SENT)', receipt(Status.SERVER_ACK), null],
    ['PENDING is ignored', receipt(Status.PENDING), null],
    ["the customer's message read by us is ignored", receipt(Status.READ, { fromMe: false }), null],
    ['an update without a key id is ignored', receipt(Status.READ, { id: undefined }), null],
    ['an unknown status name is ignored', receipt('SEEN'), null],
    [
      'an edit (no status) is ignored',
      {
        key: { remoteJid: '59170000001@s.whatsapp.net', fromMe: true, id: '3EB0C8A1F2D3E4B5A697' },
        update: {
          message: { editedMessage: { message: { conversation: 'texto corregido' } } },
          messageTimestamp: 1767261630,
        },
      },
      null,
    ],
    [
      'a stub update (revoked) is ignored',
      {
        key: { remoteJid: '59170000001@s.whatsapp.net', fromMe: true, id: '3EB0C8A1F2D3E4B5A697' },
        update: { message: null, messageStubType: proto.WebMessageInfo.StubType.REVOKE },
      },
      null,
    ],
  ];

  it.each(rows)('%s', (_name, update, status) => {
    const out = normalizeReceipts([update], POINT);
    expect(out).toEqual(
      status
        ? [{ servicePointId: POINT, providerMessageId: '3EB0C8A1F2D3E4B5A697', status, at: NOW }]
        : [],
    );
  });

  it('keeps every receipt of a batch, in order', () => {
    const out = normalizeReceipts(
      [
        receipt(Status.DELIVERY_ACK, { id: 'M1' }),
        receipt(Status.READ, { id: 'M1', fromMe: false }),
        receipt(Status.READ, { id: 'M2' }),
        receipt(Status.SERVER_ACK, { id: 'M3' }),
        receipt(Status.ERROR, { id: 'M4' }),
      ],
      POINT,
    );
    expect(out.map((r) => [r.providerMessageId, r.status])).toEqual([
      ['M1', 'DELIVERED'],
      ['M2', 'READ'],
      ['M4', 'FAILED'],
    ]);
  });

  it('returns nothing for an empty batch', () => {
    expect(normalizeReceipts([], POINT)).toEqual([]);
  });
});
