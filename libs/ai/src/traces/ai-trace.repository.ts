import { Injectable } from '@nestjs/common';
import {
  AiTrace,
  Page,
  PageQuery,
  paginateByCreatedAt,
  Prisma,
  PrismaService,
} from '@bandeja/core';
import type { ToolCallRecord } from '../tools/bot-tools';

export interface NewAiTrace {
  conversationId: string;
  servicePointId: string;
  messageId: string;
  provider: string;
  outcome: string;
  toolCalls: ToolCallRecord[];
  reply: string | null;
  latencyMs: number;
  promptTokens?: number | null;
  completionTokens?: number | null;
  fallbackUsed: boolean;
}

/** One row per bot turn (see the AiTrace model). */
@Injectable()
export class AiTraceRepository {
  constructor(private readonly prisma: PrismaService) {}

  async record(trace: NewAiTrace): Promise<AiTrace> {
    return this.prisma.aiTrace.create({
      data: {
        ...trace,
        toolCalls: trace.toolCalls as unknown as Prisma.InputJsonValue,
        promptTokens: trace.promptTokens ?? null,
        completionTokens: trace.completionTokens ?? null,
      },
    });
  }

  /** Outcomes of the conversation's last `count` turns, newest first. */
  async recentOutcomes(conversationId: string, count: number): Promise<string[]> {
    const rows = await this.prisma.aiTrace.findMany({
      where: { conversationId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: count,
      select: { outcome: true },
    });
    return rows.map((r) => r.outcome);
  }

  /** Newest first, keyset on (createdAt, id). */
  list(conversationId: string, query: PageQuery): Promise<Page<AiTrace>> {
    return paginateByCreatedAt(query, ({ where, ...rest }) =>
      this.prisma.aiTrace.findMany({ ...rest, where: { AND: [{ conversationId }, where] } }),
    );
  }
}
