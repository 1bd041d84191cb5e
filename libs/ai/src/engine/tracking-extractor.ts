import { normalizeTrackingNumber } from '@bandeja/admin/shipments/tracking-number';

/**
 * A tracking number as customers type it: an optional letter prefix, then at least five digits,
 * possibly split by spaces or dashes ("LP-2024-000187", "LP 2024 000187"), optionally a short
 * letter suffix; or a letters+digits token ("AB12CD3456", "abc-123-456"). A prefix set off by a
 * space counts only in capitals, so "guía 123456" is 123456.
 */
const SPACED =
  /(?<![A-Za-z0-9])(?:[A-Za-z]{1,5}-?|[A-Z]{1,5} )?\d(?:[ -]?\d){4,}(?:-?[A-Za-z]{1,3})?(?![A-Za-z0-9])/g;
/** Words that precede a number in a sentence, never a prefix of it ("GUIA 123456" is 123456). */
const NOT_A_PREFIX =
  /^(ES|EL|LA|MI|MY|IS|NO|NRO|NUM|NUMERO|GUIA|GUIAS|TRACKING|ORDER|PEDIDO|ENVIO|CODIGO|CODE|Y|AND|OR|O|DE)(?=\d)/;
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
