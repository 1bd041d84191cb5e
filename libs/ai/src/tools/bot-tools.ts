import type { ShipmentStatus } from '@bandeja/core';
import { normalizeTrackingNumber } from '@bandeja/admin/shipments/tracking-number';
import { BotDataRepository, FaqHit, ShipmentFact } from './bot-data.repository';

export type ToolName = 'consultar_guia' | 'consultar_faq' | 'transferir_a_humano';

export interface ToolCallRecord {
  name: ToolName;
  arguments: Record<string, unknown>;
  result: unknown;
}

export type GuiaResult =
  | {
      found: true;
      trackingNumber: string;
      status: ShipmentStatus;
      origin: string | null;
      destination: string | null;
      eta: string | null;
      lastUpdate: string;
    }
  | { found: false; trackingNumber: string };

/** An FAQ answer counts only from this score up (see BotDataRepository.searchFaqs). */
export const FAQ_CONFIDENCE = 0.5;

export type FaqResult =
  | { found: true; faqId: string; question: string; answer: string; score: number }
  | { found: false; bestScore: number | null };

function toGuia(trackingNumber: string, fact: ShipmentFact | undefined): GuiaResult {
  if (!fact) return { found: false, trackingNumber };
  return {
    found: true,
    trackingNumber: fact.trackingNumber,
    status: fact.status,
    origin: fact.origin,
    destination: fact.destination,
    eta: fact.eta?.toISOString() ?? null,
    lastUpdate: fact.lastUpdate.toISOString(),
  };
}

/**
 * The three tools, bound to one conversation and its point for one turn, recording every call
 * with its arguments and result for the trace. Whatever engine drives them (local rules or a
 * model's tool calls), they can only see and change this point's data.
 */
export class BotToolbox {
  readonly calls: ToolCallRecord[] = [];
  /** Statuses some tool returned in this turn: the only ones a reply may state. */
  readonly statusesSeen = new Set<ShipmentStatus>();

  constructor(
    private readonly data: BotDataRepository,
    readonly servicePointId: string,
    readonly conversationId: string,
  ) {}

  async consultarGuias(trackingNumbers: string[]): Promise<GuiaResult[]> {
    const normalized = [...new Set(trackingNumbers.map(normalizeTrackingNumber))].filter(Boolean);
    const facts = await this.data.shipments(this.servicePointId, normalized);
    return normalized.map((n) => {
      const result = toGuia(n, facts.get(n));
      if (result.found) this.statusesSeen.add(result.status);
      this.calls.push({ name: 'consultar_guia', arguments: { trackingNumber: n }, result });
      return result;
    });
  }

  async consultarGuia(trackingNumber: string): Promise<GuiaResult> {
    return (await this.consultarGuias([trackingNumber]))[0] ?? { found: false, trackingNumber };
  }

  async consultarFaq(query: string): Promise<FaqResult> {
    const hits: FaqHit[] = await this.data.searchFaqs(this.servicePointId, query);
    const best = hits[0];
    const result: FaqResult =
      best && best.score >= FAQ_CONFIDENCE
        ? {
            found: true,
            faqId: best.id,
            question: best.question,
            answer: best.answer,
            score: round(best.score),
          }
        : { found: false, bestScore: best ? round(best.score) : null };
    this.calls.push({ name: 'consultar_faq', arguments: { query }, result });
    return result;
  }

  async transferirAHumano(reason: string): Promise<{ transferred: boolean }> {
    const transferred = await this.data.handOver(this.conversationId, this.servicePointId, reason);
    this.calls.push({
      name: 'transferir_a_humano',
      arguments: { reason },
      result: { transferred },
    });
    return { transferred };
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;
