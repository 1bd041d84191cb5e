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
/** How many FAQs each index-driven branch of searchFaqs hands to the scoring. */
const FAQ_CANDIDATES = 50;

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
   *
   * Only a candidate set is scored, found through the GIN indexes on the stored, folded
   * "searchText" / "searchVector" columns (migration faq_search), each branch bound to the point
   * (or to the global FAQs): of the FAQ_CANDIDATES nearest by trigram word similarity of the whole
   * question (`<->>`, read in order from the GiST index), those over the threshold (`%>`,
   * pg_trgm.word_similarity_threshold, 0.6 by default), and the best by full-text rank for any of
   * its words that is not a stop word (GIN index).
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
      ), w AS (
        -- Candidate words: none that is a stop word in Spanish or English ("para", "the").
        SELECT coalesce(string_agg(x, ' | '), '') AS terms
          FROM unnest(${words}::text[]) AS x
         WHERE numnode(to_tsquery('spanish', x)) > 0 AND numnode(to_tsquery('english', x)) > 0
      ), wq AS (
        SELECT to_tsquery('spanish', w.terms) || to_tsquery('english', w.terms) AS terms FROM w
      ), c AS (
        -- Nearest by word similarity, in GiST index order, so the scan stops after the candidates
        -- then only those over the word-similarity threshold (%>): the same rows as "best
        -- FAQ_CANDIDATES with %>", without asking the index to prune by the threshold (its
        -- signatures cannot do that well, the scan then reads much more of the index).
        (SELECT n."id" FROM (
           SELECT f."id", f."searchText" FROM "Faq" f
            WHERE f."servicePointId" = ${servicePointId}::uuid
            ORDER BY f."searchText" <->> ${folded}::text LIMIT ${FAQ_CANDIDATES}
         ) n WHERE n."searchText" %> ${folded}::text)
        UNION
        (SELECT n."id" FROM (
           SELECT f."id", f."searchText" FROM "Faq" f
            WHERE f."servicePointId" IS NULL
            ORDER BY f."searchText" <->> ${folded}::text LIMIT ${FAQ_CANDIDATES}
         ) n WHERE n."searchText" %> ${folded}::text)
        UNION
        -- The tsquery as a scalar subquery (an InitPlan computed once), so it can be an index
        -- condition and is not rebuilt per row.
        (SELECT f."id" FROM "Faq" f
          WHERE f."servicePointId" = ${servicePointId}::uuid
            AND f."searchVector" @@ (SELECT terms FROM wq)
          ORDER BY ts_rank(f."searchVector", (SELECT terms FROM wq)) DESC, f."id"
          LIMIT ${FAQ_CANDIDATES})
        UNION
        (SELECT f."id" FROM "Faq" f
          WHERE f."servicePointId" IS NULL AND f."searchVector" @@ (SELECT terms FROM wq)
          ORDER BY ts_rank(f."searchVector", (SELECT terms FROM wq)) DESC, f."id"
          LIMIT ${FAQ_CANDIDATES})
      ), f AS (
        SELECT f."id", f."question", f."answer", f."servicePointId",
               faq_fold(f."question") AS fq,
               f."searchText" AS doc,
               f."keywords"
          FROM "Faq" f
          JOIN c ON c."id" = f."id"
         -- The candidates are already bound to the point; this repeats it for the scored rows.
         WHERE f."servicePointId" = ${servicePointId}::uuid OR f."servicePointId" IS NULL
      )
      SELECT f."id", f."question", f."answer",
             (greatest(
                similarity(f.fq, q.t),
                word_similarity(q.t, f.fq) * 0.8,
                coalesce((SELECT max(word_similarity(faq_fold(k), q.t))
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
