/**
 * A customer we only know by WhatsApp's LID (no phone number shared): stored as "lid:<digits>",
 * deliberately without "+", so nothing mistakes it for a phone or dials it.
 */
export const LID_CUSTOMER_PREFIX = 'lid:';

/** "+59170000001" → "59170000001@s.whatsapp.net"; "lid:1234…" → "1234…@lid". */
export function phoneToJid(customer: string): string {
  if (customer.startsWith(LID_CUSTOMER_PREFIX)) {
    const lid = customer.slice(LID_CUSTOMER_PREFIX.length);
    if (!/^\d{1,20}$/.test(lid)) throw new Error(`not a WhatsApp LID: ${customer}`);
    return `${lid}@lid`;
  }
  if (!E164_RE.test(customer)) throw new Error(`not an E.164 phone number: ${customer}`);
  return `${customer.slice(1)}@s.whatsapp.net`;
}

/** "59170000001:12@s.whatsapp.net" → "+59170000001". */
export function phoneFromJid(jid: string): string {
  const user = jid.split('@')[0]?.split(':')[0] ?? '';
  return `+${user.replace(/[^\d]/g, '')}`;
}

/** E.164 check used at the HTTP edge. */
export const E164_RE = /^\+[1-9]\d{6,14}$/;
