/** Upper-case, without spaces or dashes: "lp-2024 000187" and "LP2024000187" are one shipment. */
export function normalizeTrackingNumber(raw: string): string {
  return raw.replace(/[\s-]+/g, '').toUpperCase();
}

/** Letters and digits, optionally separated by spaces or dashes. */
export const TRACKING_NUMBER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?$/;
