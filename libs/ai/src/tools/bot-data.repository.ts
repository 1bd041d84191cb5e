import { Injectable } from '@nestjs/common';
import { AuditService, DomainEvents, Prisma, PrismaService } from '@bandeja/core';
import type { ShipmentStatus } from '@bandeja/core';
import { toConversationView } from '@bandeja/inbox/conversations/conversation.view';
import { foldText } from '../engine/text';

export interface ShipmentFact {
  trackingNumber: string;
  status: ShipmentStatus;
  origin: string | null;
  destination: string | null;
  eta: Date | null;
  lastUpdate: Date;
}

export interface FaqHit {
  id: string;
  question: string;
  answer: string;
  score: number;
}

const SEARCH_WORD = /^[a-z0-9ñ]{3,}$/;

/**
 * The only data the bot reads or changes, always inside one service point: that point's
 * shipments, its FAQs plus the global ones, and its conversation's BOT/HUMAN switch.
 */
@Injectable()
export class BotDataRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  async pointName(servicePointId: string): Promise<string | null> {
    const row = await this.prisma.servicePoint.findUnique({
      where: { id: servicePointId },
      select: { name: true },
    });
    return row?.name ?? null;
  }

  /**
   * Up to `limit` messages of the conversation before `messageId` (the turn's own message is not
   * included), oldest first: the context a model provider reads.
   */
  async messagesBefore(
    conversationId: string,
    servicePointId: string,
    messageId: string,
    limit: number,
  ): Promise<{ senderType: 'CUSTOMER' | 'BOT' | 'AGENT'; content: string }[]> {
    const current = await this.prisma.message.findFirst({
      where: { id: messageId, conversationId, servicePointId },
      select: { timestamp: true },
    });
    const rows = await this.prisma.message.findMany({
      where: {
        conversationId,
        servicePointId,
        id: { not: messageId },
        ...(current ? { timestamp: { lte: current.timestamp } } : {}),
      },
      orderBy: [{ timestamp: 'desc' }, { createdAt: 'desc' }],
      take: limit,
      select: { senderType: true, content: true },
    });
    return rows.reverse();
  }

  /** Shipments of this point by normalized tracking number; other points' are invisible. */
  async shipments(
    servicePointId: string,
    normalized: string[],
  ): Promise<Map<string, ShipmentFact>> {
    const rows = await this.prisma.shipment.findMany({
      where: { servicePointId, trackingNumberNormalized: { in: normalized } },
    });
    return new Map(
      rows.map((r) => [
        r.trackingNumberNormalized,
        {
          trackingNumber: r.trackingNumber,
          status: r.status,
          origin: r.origin,
          destination: r.destination,
          eta: r.eta,
          lastUpdate: r.lastUpdate,
        },
      ]),
    );
  }

  /**
   * Best FAQs of the point (and global ones) for a question. The score mixes trigram similarity
   * of the question and of the best keyword (typo-tolerant, accent-free) with a bonus when the
   * Spanish or English full-text search matches question and keywords (paraphrases with other
   * word forms); 1.0 ≈ a keyword or question typed out.
   */
  async searchFaqs(servicePointId: string, query: string, limit = 3): Promise<FaqHit[]> {
    const folded = foldText(query);
    const words = [...new Set(folded.split(' ').filter((w) => SEARCH_WORD.test(w)))].slice(0, 20);
    if (words.length === 0) return [];
    const tsquery = words.join(' | ');
    const rows = await this.prisma.$queryRaw<FaqHit[]>`
      WITH q AS (
        SELECT ${folded}::text AS t,
               to_tsquery('spanish', ${tsquery}) AS es,
               to_tsquery('english', ${tsquery}) AS en
      ), f AS (
        SELECT f."id", f."question", f."answer", f."servicePointId",
               unaccent(lower(f."question")) AS fq,
               unaccent(lower(f."question" || ' ' || array_to_string(f."keywords", ' '))) AS doc,
               f."keywords"
          FROM "Faq" f
         WHERE f."servicePointId" = ${servicePointId}::uuid OR f."servicePointId" IS NULL
      )
      SELECT f."id", f."question", f."answer",
             (greatest(
                similarity(f.fq, q.t),
                word_similarity(q.t, f.fq) * 0.8,
                coalesce((SELECT max(word_similarity(unaccent(lower(k)), q.t))
                            FROM unnest(f."keywords") k), 0) * 0.85
              )
              + CASE WHEN to_tsvector('spanish', f.doc) @@ q.es THEN 0.15 ELSE 0 END
              + CASE WHEN to_tsvector('english', f.doc) @@ q.en THEN 0.15 ELSE 0 END
              -- The point's own answer wins over a global one of the same subject.
              + CASE WHEN f."servicePointId" IS NOT NULL THEN 0.05 ELSE 0 END
             )::float8 AS "score"
        FROM f, q
       ORDER BY "score" DESC, f."id"
       LIMIT ${limit}`;
    return rows;
  }

  /**
   * BOT → HUMAN with an audit row and a live event. False when the conversation was not (or no
   * longer) in BOT: an agent already has it, so the bot must stay quiet.
   */
  async handOver(conversationId: string, servicePointId: string, reason: string): Promise<boolean> {
    const switched = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.conversation.updateMany({
        where: { id: conversationId, servicePointId, status: 'BOT' },
        data: { status: 'HUMAN' },
      });
      if (count === 0) return null;
      await this.audit.record(
        {},
        {
          action: 'conversation.status_changed',
          entityType: 'conversation',
          entityId: conversationId,
          servicePointId,
          data: { from: 'BOT', to: 'HUMAN', by: 'bot', reason } as Prisma.InputJsonValue,
        },
        tx,
      );
      return tx.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    });
    if (!switched) return false;
    await this.events.publish('conversation.updated', servicePointId, toConversationView(switched));
    return true;
  }
}
