import {
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  jidDecode,
  normalizeMessageContent,
  proto,
  type WAMessage,
  type WAMessageContent,
  type WAMessageKey,
} from '@whiskeysockets/baileys';
import type { InboundKind, InboundMessage } from '../channel/channel.types';

/**
 * Turns what Baileys emits on `messages.upsert` into the provider-neutral `InboundMessage`.
 * Pure functions over data: the session owns the socket and the lookups passed in `ctx`.
 *
 * Baileys is imported at runtime only for its own helpers (`normalizeMessageContent`, `jidDecode`,
 * the jid predicates and the `proto` enums), so wrapper lists and enum values follow the pinned
 * version instead of being copied here.
 */
export interface NormalizeContext {
  servicePointId: string;
  /** True when Bandeja itself sent the message with this id (its echo must not come back in). */
  sentByBandeja: (providerMessageId: string) => boolean;
  /**
   * Phone number of a LID (`<digits>@lid`), when the session knows it (Baileys' LID mapping).
   * May answer in E.164 (`+591…`), bare digits, or as a phone-number jid (`591…@s.whatsapp.net`).
   */
  lidToPhone?: (lidJid: string) => string | undefined;
}

/**
 * `customerPhone` of a customer known only by a LID (WhatsApp's privacy id, not a phone number).
 *
 * Such a message is KEPT, never dropped: a customer writing to the branch must not vanish because
 * WhatsApp hid their number. But a LID is not a phone, so it is not dressed up as one: no `+`, so
 * E.164 checks reject it and nobody dials or displays it as a number, and it cannot collide with a
 * real phone. The conversation is keyed by it and replies go back to the LID (see `customerJid`).
 * If the number becomes known later, new messages arrive under the phone (a second conversation);
 * merging them is a decision for the inbox, not for this edge.
 */
import { LID_CUSTOMER_PREFIX as LID_PREFIX } from '../channel/phone';
export { LID_CUSTOMER_PREFIX } from '../channel/phone';
/** The jid to answer a customer on, the inverse of the `customerPhone` produced here. */
export { phoneToJid as customerJid } from '../channel/phone';

/**
 * One `messages.upsert` event → the customer messages in it.
 *
 * `notify` is live traffic. `append` is NOT history in Baileys 7.0.0-rc14 (history comes on
 * `messaging-history.set`): its callers are (a) the replay of messages WhatsApp queued while this
 * socket was offline (`node.attrs.offline ? 'append' : 'notify'` in messages-recv), (b) the echo
 * of our own `sendMessage`, emitted before the caller even learns the id, and (c) stubs rebuilt
 * from notifications. Dropping `append` wholesale would silently lose every customer message sent
 * during a restart or reconnect, so from an `append` batch we keep messages not `fromMe` (only a
 * customer can have written them) and drop `fromMe` ones (they may be our own echo that
 * `sentByBandeja` cannot recognise yet). Any other type is ignored. A replay overlapping live
 * traffic is deduplicated by the database on `(servicePointId, providerMessageId)`.
 */
export function normalizeUpsert(
  event: { messages: WAMessage[]; type: string },
  ctx: NormalizeContext,
): InboundMessage[] {
  if (event.type !== 'notify' && event.type !== 'append') return [];
  const out: InboundMessage[] = [];
  for (const msg of event.messages ?? []) {
    if (event.type === 'append' && msg?.key?.fromMe) continue;
    const inbound = normalizeMessage(msg, ctx);
    if (inbound) out.push(inbound);
  }
  return out;
}

/** One Baileys message → an `InboundMessage`, or null when it is not a customer chat message. */
export function normalizeMessage(msg: WAMessage, ctx: NormalizeContext): InboundMessage | null {
  const key: WAMessageKey | undefined = msg?.key;
  const providerMessageId = key?.id;
  const remoteJid = key?.remoteJid;
  if (!providerMessageId || !remoteJid) return null;
  if (!isOneToOneChat(remoteJid)) return null;

  const fromMe = key.fromMe === true;
  if (fromMe && ctx.sentByBandeja(providerMessageId)) return null;

  // Stubs (no `message`) are dropped on purpose, including CIPHERTEXT ones (decryption failed):
  // Baileys asks for a retry and the real message comes later under the SAME id, which a stored
  // placeholder would already occupy.
  const content = describeContent(unwrap(msg.message));
  if (!content) return null;

  const customerPhone = resolveCustomer(key, ctx);
  if (!customerPhone) return null;

  return {
    servicePointId: ctx.servicePointId,
    providerMessageId,
    customerPhone,
    // On a fromMe message the push name is the branch's own, not the customer's.
    pushName: fromMe ? null : msg.pushName?.trim() || null,
    text: content.text,
    kind: content.kind,
    fromMe,
    timestamp: toDate(msg.messageTimestamp),
  };
}

// ---------------------------------------------------------------------------------------------
// Chats and customers

const PHONE_SERVERS = new Set(['s.whatsapp.net', 'c.us', 'hosted']);
const LID_SERVERS = new Set(['lid', 'hosted.lid']);

/** Only a chat with one person: no groups, status, broadcast lists, channels, bots or calls. */
function isOneToOneChat(jid: string): boolean {
  if (isJidGroup(jid) || isJidBroadcast(jid) || isJidNewsletter(jid)) return false;
  const server = jidDecode(jid)?.server;
  return !!server && (PHONE_SERVERS.has(server) || LID_SERVERS.has(server));
}

/** `59170000001:12@s.whatsapp.net` → `+59170000001` (device and agent parts dropped). */
function phoneFromJid(jid: string | null | undefined): string | undefined {
  const decoded = jid ? jidDecode(jid) : undefined;
  if (!decoded || !PHONE_SERVERS.has(decoded.server) || !/^\d{5,20}$/.test(decoded.user)) {
    return undefined;
  }
  return `+${decoded.user}`;
}

function lidFromJid(jid: string | null | undefined): { user: string; jid: string } | undefined {
  const decoded = jid ? jidDecode(jid) : undefined;
  if (!decoded || !LID_SERVERS.has(decoded.server) || !/^\d+$/.test(decoded.user)) return undefined;
  return { user: decoded.user, jid: `${decoded.user}@${decoded.server}` };
}

/** Whatever `lidToPhone` answered (E.164, digits or a jid) → E.164, or undefined. */
function phoneFromMapping(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.includes('@')) return phoneFromJid(value);
  const digits = value.trim().replace(/^\+/, '');
  return /^\d{5,20}$/.test(digits) ? `+${digits}` : undefined;
}

/**
 * The chat partner, also for fromMe messages (`remoteJid` is always the other side of a 1:1 chat).
 * Baileys 7 addresses a chat by phone number or by LID and puts the other form, when the server
 * sent it, in `remoteJidAlt` (`participantAlt` is only filled in groups, which are ignored).
 */
function resolveCustomer(key: WAMessageKey, ctx: NormalizeContext): string | undefined {
  const phone = phoneFromJid(key.remoteJid) ?? phoneFromJid(key.remoteJidAlt);
  if (phone) return phone;
  const lid = lidFromJid(key.remoteJid) ?? lidFromJid(key.remoteJidAlt);
  if (!lid) return undefined;
  let mapped: string | undefined;
  try {
    mapped = phoneFromMapping(ctx.lidToPhone?.(lid.jid));
  } catch {
    // A failing lookup must not lose the message: fall back to the LID itself.
    mapped = undefined;
  }
  return mapped ?? `${LID_PREFIX}${lid.user}`;
}

// ---------------------------------------------------------------------------------------------
// Content

const MESSAGE_EDIT = proto.Message.ProtocolMessage.Type.MESSAGE_EDIT;

/**
 * Peels wrappers until the real content shows. Baileys' `normalizeMessageContent` handles
 * ephemeral, view-once (v1, v2, v2 extension), document-with-caption and `editedMessage`; on top
 * of it: an edit arrives as `editedMessage` → `protocolMessage{type: MESSAGE_EDIT, editedMessage}`
 * (or the bare protocolMessage from Baileys-based senders), a message typed on the branch's phone
 * may still be inside `deviceSentMessage`, and animated stickers come in `lottieStickerMessage`.
 *
 * An edit becomes a message carrying the NEW text under the edit's OWN key id (the envelope's),
 * not the original's: the original id is already stored, so reusing it would make the insert look
 * like a redelivery and the corrected text (say, a fixed tracking number) would be lost. The
 * original stays in the history as it was; a redelivered edit is still deduplicated by its id.
 */
function unwrap(message: WAMessageContent | null | undefined): WAMessageContent | undefined {
  let content = message ?? undefined;
  for (let depth = 0; depth < 8 && content; depth++) {
    content = normalizeMessageContent(content);
    const protocol = content?.protocolMessage;
    const inner =
      (protocol?.type === MESSAGE_EDIT ? protocol.editedMessage : undefined) ??
      content?.deviceSentMessage?.message ??
      content?.lottieStickerMessage?.message;
    if (!inner) break;
    content = inner;
  }
  return content;
}

/**
 * Keys that are not something a person said: signalling, key distribution, reactions, poll votes,
 * pins, keep-in-chat, revokes and other protocol messages, and placeholders for messages still
 * being decrypted (the real one follows under the same id). A message with only these is ignored.
 */
const NOT_A_MESSAGE = new Set<string>([
  'messageContextInfo',
  'senderKeyDistributionMessage',
  'fastRatchetKeySenderKeyDistributionMessage',
  'protocolMessage',
  'reactionMessage',
  'encReactionMessage',
  'pollUpdateMessage',
  'encEventResponseMessage',
  'keepInChatMessage',
  'pinInChatMessage',
  'stickerSyncRmrMessage',
  'placeholderMessage',
  'secretEncryptedMessage',
]);

interface Described {
  kind: InboundKind;
  text: string;
}

function hasText(value: string | null | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function describeContent(content: WAMessageContent | undefined): Described | null {
  if (!content) return null;
  const c = content;

  if (typeof c.conversation === 'string') {
    return { kind: 'text', text: hasText(c.conversation) ? c.conversation : '[empty message]' };
  }
  if (c.extendedTextMessage) {
    const text = c.extendedTextMessage.text;
    return { kind: 'text', text: hasText(text) ? text : '[empty message]' };
  }
  if (c.imageMessage) {
    return { kind: 'image', text: captionOr(c.imageMessage.caption, '[image]') };
  }
  if (c.videoMessage) {
    return { kind: 'video', text: captionOr(c.videoMessage.caption, '[video]') };
  }
  if (c.ptvMessage) {
    return { kind: 'video', text: captionOr(c.ptvMessage.caption, '[video note]') };
  }
  if (c.audioMessage) {
    return { kind: 'audio', text: c.audioMessage.ptt ? '[voice note]' : '[audio]' };
  }
  if (c.documentMessage) {
    const name = c.documentMessage.fileName || c.documentMessage.title;
    const placeholder = hasText(name) ? `[document: ${name}]` : '[document]';
    return { kind: 'document', text: captionOr(c.documentMessage.caption, placeholder) };
  }
  if (c.stickerMessage) {
    return { kind: 'sticker', text: '[sticker]' };
  }
  if (c.locationMessage) {
    return { kind: 'location', text: describeLocation('location', c.locationMessage) };
  }
  if (c.liveLocationMessage) {
    return { kind: 'location', text: describeLocation('live location', c.liveLocationMessage) };
  }
  if (c.contactMessage) {
    return { kind: 'contact', text: `[contact: ${describeContact(c.contactMessage)}]` };
  }
  if (c.contactsArrayMessage) {
    const contacts = (c.contactsArrayMessage.contacts ?? []).map(describeContact);
    const names = contacts.length ? contacts.join('; ') : c.contactsArrayMessage.displayName;
    return { kind: 'contact', text: hasText(names) ? `[contacts: ${names}]` : '[contacts]' };
  }
  // Taps on buttons and lists are what the customer chose to say.
  const choice =
    c.buttonsResponseMessage?.selectedDisplayText ??
    c.templateButtonReplyMessage?.selectedDisplayText ??
    c.listResponseMessage?.title;
  if (hasText(choice)) {
    return { kind: 'text', text: choice };
  }
  const poll = c.pollCreationMessage ?? c.pollCreationMessageV2 ?? c.pollCreationMessageV3;
  if (poll) {
    return { kind: 'other', text: hasText(poll.name) ? `[poll: ${poll.name}]` : '[poll]' };
  }

  const present = Object.keys(c).filter((k) => c[k as keyof WAMessageContent] != null);
  if (present.every((k) => NOT_A_MESSAGE.has(k))) return null;
  return { kind: 'other', text: '[unsupported message]' };
}

function captionOr(caption: string | null | undefined, placeholder: string): string {
  return hasText(caption) ? caption : placeholder;
}

function describeLocation(
  label: string,
  location: {
    degreesLatitude?: number | null;
    degreesLongitude?: number | null;
    name?: string | null;
  },
): string {
  const lat = location.degreesLatitude;
  const lng = location.degreesLongitude;
  const coordinates = typeof lat === 'number' && typeof lng === 'number' ? `${lat}, ${lng}` : '';
  const name = hasText(location.name) ? location.name : '';
  if (coordinates && name) return `[${label}: ${coordinates} (${name})]`;
  if (coordinates || name) return `[${label}: ${coordinates || name}]`;
  return `[${label}]`;
}

/** "Ana Pérez (+591 70000002)": the name and, when the vCard has one, the first number. */
function describeContact(contact: proto.Message.IContactMessage): string {
  const name = contact.displayName?.trim() || '';
  const tel = /^(?:item\d+\.)?TEL[^:\r\n]*:([^\r\n]+)$/im.exec(contact.vcard ?? '')?.[1]?.trim();
  if (name && tel) return `${name} (${tel})`;
  return name || tel || 'unknown';
}

// ---------------------------------------------------------------------------------------------
// Time

/** `messageTimestamp` is seconds: a number, a protobuf Long, or a numeric string. */
function toDate(value: unknown): Date {
  let seconds: number | undefined;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'bigint') seconds = Number(value);
  else if (typeof value === 'string' && value.trim() !== '') seconds = Number(value);
  else if (value && typeof (value as { toNumber?: unknown }).toNumber === 'function') {
    seconds = (value as { toNumber: () => number }).toNumber();
  }
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return new Date();
  return new Date(seconds * 1000);
}
