import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  AppError,
  Faq,
  isRecordNotFound,
  MembershipRole,
  Page,
  paginateByCreatedAt,
  Prisma,
  PrismaService,
} from '@bandeja/core';
import { PointResolverRegistry, Principal, TenancyService } from '@bandeja/auth';
import { CreateFaqDto, ListFaqsQuery, UpdateFaqDto } from './faq.dto';

export function toFaqView(row: Faq) {
  return {
    id: row.id,
    servicePointId: row.servicePointId,
    question: row.question,
    answer: row.answer,
    keywords: row.keywords,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type FaqView = ReturnType<typeof toFaqView>;

function normalizeKeywords(keywords: string[] | undefined): string[] {
  return [...new Set((keywords ?? []).map((k) => k.toLowerCase()))];
}

@Injectable()
export class FaqsService implements OnModuleInit {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tenancy: TenancyService,
    private readonly resolvers: PointResolverRegistry,
  ) {}

  onModuleInit(): void {
    this.resolvers.register('faq', async (id) => {
      const row = await this.prisma.faq.findUnique({
        where: { id },
        select: { servicePointId: true },
      });
      return row ? row.servicePointId : undefined;
    });
  }

  async create(dto: CreateFaqDto): Promise<FaqView> {
    const row = await this.prisma.faq.create({
      data: {
        servicePointId: dto.servicePointId ?? null,
        question: dto.question,
        answer: dto.answer,
        keywords: normalizeKeywords(dto.keywords),
      },
    });
    return toFaqView(row);
  }

  async list(principal: Principal, query: ListFaqsQuery): Promise<Page<FaqView>> {
    const includeGlobal = query.includeGlobal ?? true;
    let points: Prisma.FaqWhereInput;
    if (query.servicePointId) {
      await this.tenancy.assertAccess(principal, query.servicePointId, MembershipRole.AGENT);
      points = { servicePointId: query.servicePointId };
    } else {
      const ids = this.tenancy.visiblePointIds(principal);
      points = ids ? { servicePointId: { in: ids } } : { servicePointId: { not: null } };
    }
    const filter: Prisma.FaqWhereInput = includeGlobal
      ? { OR: [points, { servicePointId: null }] }
      : points;
    const page = await paginateByCreatedAt(query, ({ where, ...rest }) =>
      this.prisma.faq.findMany({ ...rest, where: { AND: [filter, where] } }),
    );
    return { items: page.items.map(toFaqView), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<FaqView> {
    const row = await this.prisma.faq.findUnique({ where: { id } });
    if (!row) throw AppError.notFound('FAQ');
    return toFaqView(row);
  }

  async update(id: string, dto: UpdateFaqDto): Promise<FaqView> {
    try {
      const row = await this.prisma.faq.update({
        where: { id },
        data: {
          ...(dto.question !== undefined ? { question: dto.question } : {}),
          ...(dto.answer !== undefined ? { answer: dto.answer } : {}),
          ...(dto.keywords !== undefined ? { keywords: normalizeKeywords(dto.keywords) } : {}),
        },
      });
      return toFaqView(row);
    } catch (err) {
      if (isRecordNotFound(err)) throw AppError.notFound('FAQ');
      throw err;
    }
  }

  async remove(id: string): Promise<void> {
    const { count } = await this.prisma.faq.deleteMany({ where: { id } });
    if (count === 0) throw AppError.notFound('FAQ');
  }
}
