import { proto, type WAMessage } from '@whiskeysockets/baileys';
import type { InboundMessage } from '../channel/channel.types';
import {
  customerJid,
  LID_CUSTOMER_PREFIX,
  normalizeMessage,
  normalizeUpsert,
  type NormalizeContext,
} from './normalize-inbound';

const POINT = 'sp_centro';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const TS = 1767261600; // 2026-01-01T10:00:00Z, seconds as Baileys gives them
const AT = new Date(TS * 1000);

const CUSTOMER_JID = '59170000001@s.whatsapp.net';
const CUSTOMER_LID = '123456789012345@lid';
const OUR_ECHO_ID = '3EB0C8A1F2D3E4B5A697';

/** protobufjs' Long, as the proto types name it (the `long` package is not a dependency here). */
type ProtoLong = Exclude<NonNullable<proto.IWebMessageInfo['messageTimestamp']>, number>;
/** A Protobuf Long as Baileys hands it over for int64 fields (only what a reader may touch). */
const longLike = (n: number) =>
  ({ low: n, high: 0, unsigned: true, toNumber: () => n }) as unknown as ProtoLong;

/** Only the fields a 1:1 message really carries; each row overrides what it is about. */
function waMessage(
  message: WAMessage['message'],
  over: { key?: Partial<WAMessage['key']> } & Omit<Partial<WAMessage>, 'key'> = {},
): WAMessage {
  const { key, ...rest } = over;
  return {
    key: {
      remoteJid: CUSTOMER_JID,
      remoteJidAlt: CUSTOMER_LID,
      fromMe: false,
      id: '3A5F0B6C7D8E9F001122',
      participant: undefined,
      addressingMode: 'pn',
      ...key,
    },
    messageTimestamp: TS,
    pushName: 'Ana Quispe',
    broadcast: false,
    message,
    ...rest,
  } as WAMessage;
}

const deviceList = {
  messageContextInfo: {
    deviceListMetadata: {
      senderTimestamp: longLike(1767000000),
      recipientTimestamp: longLike(1767000001),
    },
    deviceListMetadataVersion: 2,
  },
};

const media = {
  url: 'https://mmg.whatsapp.net/v/t62.7118-24/1234_5678.enc',
  directPath: '/v/t62.7118-24/1234_5678.enc',
  mediaKey: new Uint8Array([1, 2, 3]),
  fileSha256: new Uint8Array([4, 5, 6]),
  fileEncSha256: new Uint8Array([7, 8, 9]),
  fileLength: longLike(52340),
  mediaKeyTimestamp: longLike(TS),
};

function makeCtx(over: Partial<NormalizeContext> = {}): NormalizeContext {
  return {
    servicePointId: POINT,
    sentByBandeja: (id) => id === OUR_ECHO_ID,
    lidToPhone: () => undefined,
    ...over,
  };
}

beforeAll(() => {
  jest.useFakeTimers({ now: NOW });
});
afterAll(() => {
  jest.useRealTimers();
});

describe('normalizeMessage: what a customer message becomes', () => {
  const base: InboundMessage = {
    servicePointId: POINT,
    providerMessageId: '3A5F0B6C7D8E9F001122',
    customerPhone: '+59170000001',
    pushName: 'Ana Quispe',
    text: 'hola',
    kind: 'text',
    fromMe: false,
    timestamp: AT,
  };

  const rows: Array<[string, WAMessage, Partial<InboundMessage>, Partial<NormalizeContext>?]> = [
    [
      'plain conversation',
      waMessage({ conversation: 'Hola, mi guía es BO123456789', ...deviceList }),
      { text: 'Hola, mi guía es BO123456789', kind: 'text' },
    ],
    [
      'extendedTextMessage (reply with a link preview)',
      waMessage({
        extendedTextMessage: {
          text: '¿Dónde está? https://bandeja.example/g/BO123',
          matchedText: 'https://bandeja.example/g/BO123',
          previewType: proto.Message.ExtendedTextMessage.PreviewType.NONE,
          contextInfo: {
            stanzaId: '3EB0AAAAAAAAAAAAAAAA',
            participant: '59170009999@s.whatsapp.net',
            quotedMessage: { conversation: 'Su envío salió hoy' },
          },
        },
        ...deviceList,
      }),
      { text: '¿Dónde está? https://bandeja.example/g/BO123', kind: 'text' },
    ],
    [
      'image with caption',
      waMessage({
        imageMessage: {
          ...media,
          mimetype: 'image/jpeg',
          caption: 'Así llegó la caja',
          height: 1280,
          width: 960,
        },
      }),
      { text: 'Así llegó la caja', kind: 'image' },
    ],
    [
      'image without caption',
      waMessage({ imageMessage: { ...media, mimetype: 'image/jpeg', height: 1280, width: 960 } }),
      { text: '[image]', kind: 'image' },
    ],
    [
      'video with caption',
      waMessage({
        videoMessage: { ...media, mimetype: 'video/mp4', seconds: 12, caption: 'Mire el paquete' },
      }),
      { text: 'Mire el paquete', kind: 'video' },
    ],
    [
      'video without caption',
      waMessage({ videoMessage: { ...media, mimetype: 'video/mp4', seconds: 12 } }),
      { text: '[video]', kind: 'video' },
    ],
    [
      'video note (ptvMessage)',
      waMessage({ ptvMessage: { ...media, mimetype: 'video/mp4', seconds: 5 } }),
      { text: '[video note]', kind: 'video' },
    ],
    [
      'document inside documentWithCaptionMessage',
      waMessage({
        documentWithCaptionMessage: {
          message: {
            documentMessage: {
              ...media,
              mimetype: 'application/pdf',
              title: 'factura',
              fileName: 'factura-0042.pdf',
              pageCount: 1,
              caption: 'Mi factura del envío',
            },
            ...deviceList,
          },
        },
      }),
      { text: 'Mi factura del envío', kind: 'document' },
    ],
    [
      'document without caption names the file',
      waMessage({
        documentMessage: { ...media, mimetype: 'application/pdf', fileName: 'factura-0042.pdf' },
      }),
      { text: '[document: factura-0042.pdf]', kind: 'document' },
    ],
    [
      'voice note (audio ptt)',
      waMessage({
        audioMessage: { ...media, mimetype: 'audio/ogg; codecs=opus', seconds: 7, ptt: true },
      }),
      { text: '[voice note]', kind: 'audio' },
    ],
    [
      'audio file',
      waMessage({ audioMessage: { ...media, mimetype: 'audio/mpeg', seconds: 183, ptt: false } }),
      { text: '[audio]', kind: 'audio' },
    ],
    [
      'sticker',
      waMessage({
        stickerMessage: { ...media, mimetype: 'image/webp', isAnimated: false, height: 512 },
      }),
      { text: '[sticker]', kind: 'sticker' },
    ],
    [
      'location with a name',
      waMessage({
        locationMessage: {
          degreesLatitude: -16.4955,
          degreesLongitude: -68.1336,
          name: 'Plaza Murillo',
          jpegThumbnail: new Uint8Array([1]),
        },
      }),
      { text: '[location: -16.4955, -68.1336 (Plaza Murillo)]', kind: 'location' },
    ],
    [
      'pinned location without a name',
      waMessage({ locationMessage: { degreesLatitude: -16.5, degreesLongitude: -68.15 } }),
      { text: '[location: -16.5, -68.15]', kind: 'location' },
    ],
    [
      'live location',
      waMessage({
        liveLocationMessage: {
          degreesLatitude: -17.7833,
          degreesLongitude: -63.1821,
          sequenceNumber: longLike(1),
        },
      }),
      { text: '[live location: -17.7833, -63.1821]', kind: 'location' },
    ],
    [
      'contact card',
      waMessage({
        contactMessage: {
          displayName: 'Luis Mamani',
          vcard:
            'BEGIN:VCARD\nVERSION:3.0\nN:;Luis Mamani;;;\nFN:Luis Mamani\n' +
            'item1.TEL;waid=59170000002:+591 70000002\nitem1.X-ABLabel:Móvil\nEND:VCARD',
        },
      }),
      { text: '[contact: Luis Mamani (+591 70000002)]', kind: 'contact' },
    ],
    [
      'several contacts',
      waMessage({
        contactsArrayMessage: {
          displayName: '2 contactos',
          contacts: [
            { displayName: 'Luis', vcard: 'BEGIN:VCARD\nTEL;type=CELL:+591 70000002\nEND:VCARD' },
            { displayName: 'Rosa', vcard: 'BEGIN:VCARD\nFN:Rosa\nEND:VCARD' },
          ],
        },
      }),
      { text: '[contacts: Luis (+591 70000002); Rosa]', kind: 'contact' },
    ],
    [
      'text in a disappearing chat (ephemeralMessage)',
      waMessage({
        ephemeralMessage: {
          message: {
            extendedTextMessage: { text: 'Buenas tardes', contextInfo: { expiration: 604800 } },
            ...deviceList,
          },
        },
      }),
      { text: 'Buenas tardes', kind: 'text' },
    ],
    [
      'view-once image with caption (viewOnceMessage)',
      waMessage({
        viewOnceMessage: {
          message: {
            imageMessage: {
              ...media,
              mimetype: 'image/jpeg',
              caption: 'Mi carnet',
              viewOnce: true,
            },
          },
        },
      }),
      { text: 'Mi carnet', kind: 'image' },
    ],
    [
      'view-once image with caption (viewOnceMessageV2)',
      waMessage(
        {
          viewOnceMessageV2: {
            message: {
              imageMessage: {
                ...media,
                mimetype: 'image/jpeg',
                caption: 'Comprobante',
                viewOnce: true,
              },
            },
          },
        },
        { key: { isViewOnce: true } },
      ),
      { text: 'Comprobante', kind: 'image' },
    ],
    [
      'view-once voice note (viewOnceMessageV2Extension)',
      waMessage({
        viewOnceMessageV2Extension: {
          message: {
            audioMessage: {
              ...media,
              mimetype: 'audio/ogg; codecs=opus',
              ptt: true,
              viewOnce: true,
            },
          },
        },
      }),
      { text: '[voice note]', kind: 'audio' },
    ],
    [
      "edited message: the new text, under the edit's own id",
      waMessage(
        {
          editedMessage: {
            message: {
              protocolMessage: {
                key: { remoteJid: CUSTOMER_JID, fromMe: false, id: '3A5F0B6C7D8E9F001122' },
                type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
                editedMessage: { conversation: 'Mi guía es BO987654321 (corregida)' },
                timestampMs: longLike(TS * 1000 + 30000),
              },
            },
          },
          ...deviceList,
        },
        { key: { id: '3A11EDIT0000000000AA' }, messageTimestamp: TS + 30 },
      ),
      {
        providerMessageId: '3A11EDIT0000000000AA',
        text: 'Mi guía es BO987654321 (corregida)',
        kind: 'text',
        timestamp: new Date((TS + 30) * 1000),
      },
    ],
    [
      'edit sent as a bare protocolMessage (Baileys-based senders)',
      waMessage(
        {
          protocolMessage: {
            key: { remoteJid: CUSTOMER_JID, fromMe: false, id: '3EB0ORIGINAL00000001' },
            type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
            editedMessage: { extendedTextMessage: { text: 'Texto nuevo' } },
          },
        },
        { key: { id: '3EB0EDIT000000000002' } },
      ),
      { providerMessageId: '3EB0EDIT000000000002', text: 'Texto nuevo', kind: 'text' },
    ],
    [
      'tap on a reply button',
      waMessage({
        buttonsResponseMessage: {
          selectedButtonId: 'track',
          selectedDisplayText: 'Rastrear mi envío',
          type: proto.Message.ButtonsResponseMessage.Type.DISPLAY_TEXT,
        },
      }),
      { text: 'Rastrear mi envío', kind: 'text' },
    ],
    [
      'poll created by the customer',
      waMessage({
        pollCreationMessageV3: { name: '¿Entrega en la mañana?', selectableOptionsCount: 1 },
      }),
      { text: '[poll: ¿Entrega en la mañana?]', kind: 'other' },
    ],
    [
      'content Bandeja does not understand',
      waMessage({
        groupInviteMessage: {
          groupJid: '120363025246125888@g.us',
          inviteCode: 'AbCd',
          groupName: 'Ofertas',
        },
      }),
      { text: '[unsupported message]', kind: 'other' },
    ],
    [
      'message typed on the branch phone (fromMe, not ours) is flagged, no pushName',
      waMessage(
        { conversation: 'Le escribo yo, ya revisé su envío' },
        { key: { fromMe: true, id: '3A99PHONE00000000001' }, pushName: 'Sucursal Centro' },
      ),
      {
        providerMessageId: '3A99PHONE00000000001',
        customerPhone: '+59170000001',
        pushName: null,
        text: 'Le escribo yo, ya revisé su envío',
        fromMe: true,
      },
    ],
    [
      'branch phone message still wrapped in deviceSentMessage',
      waMessage(
        {
          deviceSentMessage: {
            destinationJid: CUSTOMER_JID,
            message: { extendedTextMessage: { text: 'Ya sale su pedido' } },
          },
        },
        { key: { fromMe: true, id: '3A99PHONE00000000002' } },
      ),
      {
        providerMessageId: '3A99PHONE00000000002',
        pushName: null,
        text: 'Ya sale su pedido',
        fromMe: true,
      },
    ],
    [
      '@lid sender with the phone in remoteJidAlt',
      waMessage(
        { conversation: 'hola' },
        {
          key: {
            remoteJid: CUSTOMER_LID,
            remoteJidAlt: '59170000002@s.whatsapp.net',
            addressingMode: 'lid',
          },
        },
      ),
      { customerPhone: '+59170000002', text: 'hola' },
    ],
    [
      '@lid sender mapped by ctx.lidToPhone (answering with a jid)',
      waMessage(
        { conversation: 'hola' },
        {
          key: {
            remoteJid: '987654321098765:3@lid',
            remoteJidAlt: undefined,
            addressingMode: 'lid',
          },
        },
      ),
      { customerPhone: '+59170000003' },
      {
        lidToPhone: (lid) =>
          lid === '987654321098765@lid' ? '59170000003:3@s.whatsapp.net' : undefined,
      },
    ],
    [
      '@lid sender mapped by ctx.lidToPhone (answering in E.164)',
      waMessage(
        { conversation: 'hola' },
        { key: { remoteJid: CUSTOMER_LID, remoteJidAlt: undefined } },
      ),
      { customerPhone: '+59170000004' },
      { lidToPhone: () => '+59170000004' },
    ],
    [
      '@lid sender with no known phone is kept under lid:<digits>, not dropped',
      waMessage(
        { conversation: 'hola' },
        { key: { remoteJid: CUSTOMER_LID, remoteJidAlt: undefined } },
      ),
      { customerPhone: `${LID_CUSTOMER_PREFIX}123456789012345`, text: 'hola' },
    ],
    [
      '@lid sender whose lookup throws is still kept under its LID',
      waMessage(
        { conversation: 'hola' },
        { key: { remoteJid: CUSTOMER_LID, remoteJidAlt: undefined } },
      ),
      { customerPhone: 'lid:123456789012345' },
      {
        lidToPhone: () => {
          throw new Error('lid store unavailable');
        },
      },
    ],
    [
      'device-suffixed jid loses the device',
      waMessage({ conversation: 'hola' }, { key: { remoteJid: '59170000005:12@s.whatsapp.net' } }),
      { customerPhone: '+59170000005' },
    ],
    [
      'Long-like messageTimestamp',
      waMessage({ conversation: 'hola' }, { messageTimestamp: longLike(TS + 5) }),
      { timestamp: new Date((TS + 5) * 1000) },
    ],
    [
      // Not in the types, but what a timestamp becomes after a JSON round trip.
      'string messageTimestamp',
      waMessage(
        { conversation: 'hola' },
        { messageTimestamp: String(TS + 7) as unknown as number },
      ),
      { timestamp: new Date((TS + 7) * 1000) },
    ],
    [
      'missing messageTimestamp falls back to now',
      waMessage({ conversation: 'hola' }, { messageTimestamp: undefined }),
      { timestamp: NOW },
    ],
    [
      'missing pushName',
      waMessage({ conversation: 'hola' }, { pushName: undefined }),
      { pushName: null },
    ],
  ];

  // Rest parameters: a 4-argument callback would make jest-each pass `done` on 3-element rows.
  it.each(rows)('%s', (...[, msg, expected, ctxOver]) => {
    expect(normalizeMessage(msg, makeCtx(ctxOver))).toEqual({ ...base, ...expected });
  });
});

describe('normalizeMessage: what is not a customer message', () => {
  const rows: Array<[string, WAMessage]> = [
    [
      'group message',
      waMessage(
        {
          senderKeyDistributionMessage: {
            groupId: '120363025246125888@g.us',
            axolotlSenderKeyDistributionMessage: new Uint8Array([1]),
          },
          conversation: 'hola grupo',
        },
        {
          key: {
            remoteJid: '120363025246125888@g.us',
            remoteJidAlt: undefined,
            participant: '59170000001@s.whatsapp.net',
            participantAlt: CUSTOMER_LID,
          },
        },
      ),
    ],
    [
      'status broadcast',
      waMessage(
        { imageMessage: { ...media, caption: 'Mi estado' } },
        {
          key: {
            remoteJid: 'status@broadcast',
            remoteJidAlt: undefined,
            participant: CUSTOMER_JID,
          },
        },
      ),
    ],
    [
      'broadcast list',
      waMessage(
        { conversation: 'Oferta' },
        { key: { remoteJid: '1767261600@broadcast', remoteJidAlt: undefined } },
      ),
    ],
    [
      'newsletter (channel) post',
      waMessage(
        { conversation: 'Novedades' },
        {
          key: {
            remoteJid: '120363144038483540@newsletter',
            remoteJidAlt: undefined,
            server_id: '142',
          },
        },
      ),
    ],
    [
      'bot chat',
      waMessage(
        { conversation: 'hola' },
        { key: { remoteJid: '13135550002@bot', remoteJidAlt: undefined } },
      ),
    ],
    [
      'reaction',
      waMessage({
        reactionMessage: {
          key: { remoteJid: CUSTOMER_JID, fromMe: true, id: OUR_ECHO_ID },
          text: '👍',
          senderTimestampMs: longLike(TS * 1000),
        },
      }),
    ],
    [
      'revoke (deleted for everyone)',
      waMessage({
        protocolMessage: {
          key: { remoteJid: CUSTOMER_JID, fromMe: false, id: '3A5F0B6C7D8E9F000000' },
          type: proto.Message.ProtocolMessage.Type.REVOKE,
        },
      }),
    ],
    [
      'disappearing-messages setting',
      waMessage({
        protocolMessage: {
          type: proto.Message.ProtocolMessage.Type.EPHEMERAL_SETTING,
          ephemeralExpiration: 604800,
        },
      }),
    ],
    [
      'poll vote',
      waMessage({
        pollUpdateMessage: {
          pollCreationMessageKey: {
            remoteJid: CUSTOMER_JID,
            fromMe: true,
            id: '3EB0POLL000000000001',
          },
          vote: { encPayload: new Uint8Array([1]), encIv: new Uint8Array([2]) },
        },
      }),
    ],
    [
      'senderKeyDistributionMessage only',
      waMessage({
        senderKeyDistributionMessage: {
          groupId: 'status@broadcast',
          axolotlSenderKeyDistributionMessage: new Uint8Array([1]),
        },
        ...deviceList,
      }),
    ],
    [
      'stub without content (decryption failed, retry pending)',
      waMessage(undefined, {
        messageStubType: proto.WebMessageInfo.StubType.CIPHERTEXT,
        messageStubParameters: ['No session record'],
      }),
    ],
    [
      'placeholder for a message still being decrypted',
      waMessage({
        placeholderMessage: {
          type: proto.Message.PlaceholderMessage.PlaceholderType.MASK_LINKED_DEVICES,
        },
      }),
    ],
    ['message without a key id', waMessage({ conversation: 'hola' }, { key: { id: undefined } })],
    [
      'message without a remoteJid',
      waMessage({ conversation: 'hola' }, { key: { remoteJid: undefined } }),
    ],
    [
      "Bandeja's own echo",
      waMessage(
        { extendedTextMessage: { text: 'Su envío está en camino' } },
        { key: { fromMe: true, id: OUR_ECHO_ID } },
      ),
    ],
  ];

  it.each(rows)('%s → null', (_name, msg) => {
    expect(normalizeMessage(msg, makeCtx())).toBeNull();
  });
});

describe('normalizeUpsert', () => {
  const customer = waMessage({ conversation: 'uno' }, { key: { id: 'A1' } });
  const group = waMessage(
    { conversation: 'grupo' },
    { key: { id: 'A2', remoteJid: '120363025246125888@g.us', participant: CUSTOMER_JID } },
  );
  const fromPhone = waMessage({ conversation: 'dos' }, { key: { id: 'A3', fromMe: true } });
  const echo = waMessage({ conversation: 'eco' }, { key: { id: OUR_ECHO_ID, fromMe: true } });
  const reaction = waMessage(
    { reactionMessage: { key: { id: 'A1' }, text: '❤️' } },
    { key: { id: 'A4' } },
  );

  const rows: Array<[string, string, WAMessage[], string[]]> = [
    [
      'notify keeps customer and phone messages in order',
      'notify',
      [customer, group, fromPhone, echo, reaction],
      ['A1', 'A3'],
    ],
    ['notify with nothing for the inbox', 'notify', [group, echo, reaction], []],
    // Deliberate: rc14 replays messages queued while offline as `append` (see normalizeUpsert).
    [
      'append keeps customer messages replayed after a disconnect',
      'append',
      [customer, group],
      ['A1'],
    ],
    [
      'append drops every fromMe message (our send echo races the outbox)',
      'append',
      [fromPhone, echo],
      [],
    ],
    ['an unknown type is ignored entirely', 'history', [customer, fromPhone], []],
  ];

  it.each(rows)('%s', (_name, type, messages, ids) => {
    const out = normalizeUpsert({ messages, type }, makeCtx());
    expect(out.map((m) => m.providerMessageId)).toEqual(ids);
    expect(out.every((m) => m.servicePointId === POINT)).toBe(true);
  });
});

describe('customerJid', () => {
  it.each([
    ['+59170000001', '59170000001@s.whatsapp.net'],
    ['lid:123456789012345', '123456789012345@lid'],
  ])('%s → %s', (phone, jid) => {
    expect(customerJid(phone)).toBe(jid);
  });
});
