import { Injectable, Logger } from '@nestjs/common';
import {
  ApiKeyRole,
  AppError,
  AuditActor,
  AuditService,
  MembershipRole,
  PageQuery,
  paginateByCreatedAt,
  PrismaService,
  UserRole,
} from '@bandeja/core';
import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../principal';
import { CreateApiKeyDto } from './api-keys.dto';

const KEY_PREFIX = 'bdj_';
const PUBLIC_SELECT = {
  id: true,
  name: true,
  prefix: true,
  role: true,
  servicePointIds: true,
  createdById: true,
  lastUsedAt: true,
  createdAt: true,
} as const;

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Machine credentials: random keys shown once, stored as SHA-256, scoped to points. */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateApiKeyDto, actor: AuditActor) {
    const servicePointIds = dto.role === ApiKeyRole.ADMIN ? [] : (dto.servicePointIds ?? []);
    if (dto.role !== ApiKeyRole.ADMIN && servicePointIds.length === 0) {
      throw AppError.validation([
        {
          field: 'servicePointIds',
          message: 'a MANAGER or AGENT key needs at least one service point',
        },
      ]);
    }
    if (servicePointIds.length) {
      const found = await this.prisma.servicePoint.count({
        where: { id: { in: servicePointIds } },
      });
      if (found !== servicePointIds.length) throw AppError.notFound('Service point');
    }
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.prisma.apiKey.create({
      data: {
        name: dto.name,
        role: dto.role,
        servicePointIds,
        prefix: key.slice(0, 12),
        keyHash: hashKey(key),
        createdById: actor.userId ?? null,
      },
      select: PUBLIC_SELECT,
    });
    await this.audit.record(actor, {
      action: 'api_key.created',
      entityType: 'api_key',
      entityId: row.id,
      data: { role: row.role, servicePointIds },
    });
    return { ...row, key };
  }

  list(query: PageQuery) {
    return paginateByCreatedAt(query, (args) =>
      this.prisma.apiKey.findMany({ ...args, select: PUBLIC_SELECT }),
    );
  }

  async remove(id: string, actor: AuditActor): Promise<void> {
    const { count } = await this.prisma.apiKey.deleteMany({ where: { id } });
    if (count === 0) throw AppError.notFound('API key');
    await this.audit.record(actor, {
      action: 'api_key.deleted',
      entityType: 'api_key',
      entityId: id,
    });
  }

  /** The caller behind an `X-Api-Key` header, or null when the key is unknown. */
  async authenticate(key: string): Promise<Principal | null> {
    if (!key.startsWith(KEY_PREFIX) || key.length > 200) return null;
    const row = await this.prisma.apiKey.findUnique({ where: { keyHash: hashKey(key) } });
    if (!row) return null;
    // Best effort, at most once a minute per key: a busy integration must not write on every call.
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
      this.prisma.apiKey
        .update({ where: { id: row.id }, data: { lastUsedAt: new Date() } })
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'could not touch api key'));
    }
    const memberRole =
      row.role === ApiKeyRole.MANAGER ? MembershipRole.MANAGER : MembershipRole.AGENT;
    return {
      kind: 'apiKey',
      id: row.id,
      userId: null,
      apiKeyId: row.id,
      role: row.role === ApiKeyRole.ADMIN ? UserRole.ADMIN : UserRole.AGENT,
      memberships: new Map(
        row.role === ApiKeyRole.ADMIN ? [] : row.servicePointIds.map((id) => [id, memberRole]),
      ),
    };
  }
}
