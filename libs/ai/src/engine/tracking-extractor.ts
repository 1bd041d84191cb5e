import { normalizeTrackingNumber } from '@bandeja/admin/shipments/tracking-number';

/**
 * A tracking number as customers type it: an optional letter prefix, then at least five digits,
 * possibly split by spaces or dashes ("LP-2024-000187", "LP 2024 000187"), optionally a short
 * letter suffix; or a letters+digits token ("AB12CD3456", "abc-123-456"). A prefix set off by a
 * space counts in any case ("lp 2024 000187", "abc 123456") unless it is a word that precedes a
 * number in a sentence (NOT_A_PREFIX): "guía 123456" and "hola 123456" are 123456. A prefix must
 * start a word, accented letters included ("guía" does not yield the prefix "a").
 */
const SPACED =
  /(?<![\p{L}\p{N}])(?:[A-Za-z]{1,5}[ -]?)?\d(?:[ -]?\d){4,}(?:-?[A-Za-z]{1,3})?(?![A-Za-z0-9])/gu;
/** Words that precede a number in a sentence, never a prefix of it ("GUIA 123456" is 123456). */
const NOT_A_PREFIX = new RegExp(
  `^(${[
    // Spanish
    'A|AL|CON|DE|DEL|DOS|EL|EN|ES|ESA|ESE|ESO|ESTA|ESTE|GUIA|GUIAS|HAY|HOLA|LA|LAS|LOS|MI|MIS',
    'NO|NRO|NUM|NUMERO|O|PARA|PERO|POR|QUE|SI|SON|SOY|SU|SUS|TU|TUS|UN|UNA|VER|Y|YA',
    'PEDIDO|ENVIO|CODIGO|TRACKING',
    // English
    'AN|AND|AT|CODE|FOR|HELLO|HI|ID|IN|IS|IT|ITS|MY|OF|OK|ON|OR|ORDER|REF|THE|TO|YOUR',
  ].join('|')})(?=\\d)`,
);
const MIXED =
  /(?<![A-Za-z0-9-])(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![A-Za-z0-9-])/g;

const MAX_NUMBERS = 5;

/** Normalized tracking numbers in a message, first mention first, without repeats. */
export function extractTrackingNumbers(text: string): string[] {
  const found: { at: number; value: string }[] = [];
  for (const re of [SPACED, MIXED]) {
    for (const m of text.matchAll(re)) {
      let value = normalizeTrackingNumber(m[0]);
      if (re === SPACED && /^[A-Za-z]+ /.test(m[0])) value = value.replace(NOT_A_PREFIX, '');
      const digits = value.replace(/\D/g, '').length;
      if (value.length < 6 || value.length > 30 || digits < 5) continue;
      found.push({ at: m.index ?? 0, value });
    }
  }
  found.sort((a, b) => a.at - b.at);
  const out: string[] = [];
  for (const { value } of found) {
    // "LP 2024 000187" is seen whole and in parts; keep the longest reading of one position.
    if (out.some((v) => v.includes(value))) continue;
    for (let i = out.length - 1; i >= 0; i--) if (value.includes(out[i])) out.splice(i, 1);
    out.push(value);
  }
  return out.slice(0, MAX_NUMBERS);
}
