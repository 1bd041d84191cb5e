import type { ShipmentStatus } from '@bandeja/core';
import { foldText } from './text';

/** Words that state a status, in both languages (accent-free, as foldText leaves them). */
const STATUS_WORDS: Record<ShipmentStatus, RegExp> = {
  CREATED: /\b(registrado|registered|despachado|dispatched)\b/,
  IN_TRANSIT: /\b(en transito|in transit|en camino|on its way)\b/,
  OUT_FOR_DELIVERY: /\b(en reparto|out for delivery)\b/,
  DELIVERED: /\b(entregado|entregada|delivered)\b/,
  RETURNED: /\b(devuelto|devuelta|returned)\b/,
  EXCEPTION: /\b(incidencia|incident)\b/,
};

/** True when `reply` states a shipment status that no tool returned in this turn. */
export function mentionsUnseenStatus(reply: string, seen: ReadonlySet<ShipmentStatus>): boolean {
  const folded = foldText(reply);
  return (Object.keys(STATUS_WORDS) as ShipmentStatus[]).some(
    (status) => !seen.has(status) && STATUS_WORDS[status].test(folded),
  );
}
