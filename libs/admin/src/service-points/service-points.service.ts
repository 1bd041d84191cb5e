import { Injectable } from '@nestjs/common';
import {
  AppConfig,
  AppError,
  AuditActor,
  AuditService,
  ChannelProviderKind,
  Page,
  PageQuery,
  paginateByCreatedAt,
  Prisma,
  WhatsappState,
} from '@bandeja/core';
import { Principal, TenancyService } from '@bandeja/auth';
import { SessionBus } from '@bandeja/whatsapp';
import { CreateServicePointDto, UpdateServicePointDto } from './service-point.dto';
import {
  DEFAULT_FOLLOWUPS,
  DEFAULT_WORKING_HOURS,
  FollowupSettings,
  ServicePointView,
  toServicePointView,
} from './service-point.view';
import { ServicePointsRepository } from './service-points.repository';

@Injectable()
export class ServicePointsService {
  constructor(
    private readonly points: ServicePointsRepository,
    private readonly tenancy: TenancyService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly sessions: SessionBus,
  ) {}

  async create(dto: CreateServicePointDto, actor: AuditActor): Promise<ServicePointView> {
    const { webhookSecret, ...followups } = dto.followups ?? {};
    const row = await this.points.create({
      name: dto.name,
      provider: dto.provider,
      phoneNumber: dto.phoneNumber ?? null,
      timezone: dto.timezone ?? this.config.DEFAULT_TIMEZONE,
      workingHours: { ...(dto.workingHours ?? DEFAULT_WORKING_HOURS) },
      botEnabled: dto.botEnabled ?? true,
      followups: { ...DEFAULT_FOLLOWUPS, ...followups } as unknown as Prisma.InputJsonValue,
      followupsWebhookSecret: webhookSecret ?? null,
      // A simulator has no phone to pair: a worker starts it at once (see SessionManager).
      whatsappStatus: WhatsappState.STOPPED,
      whatsappAutoStart: dto.provider === ChannelProviderKind.SIMULATOR,
    });
    await this.audit.record(actor, {
      action: 'service_point.created',
      entityType: 'service_point',
      entityId: row.id,
      servicePointId: row.id,
      data: { name: row.name, provider: row.provider },
    });
    if (row.provider === ChannelProviderKind.SIMULATOR) {
      // Best effort: without a running worker, the next one to start adopts it anyway.
      await this.sessions.command({ op: 'connect', servicePointId: row.id }).catch(() => 0);
    }
    return toServicePointView(row);
  }

  async list(principal: Principal, query: PageQuery): Promise<Page<ServicePointView>> {
    const ids = this.tenancy.visiblePointIds(principal);
    const page = await paginateByCreatedAt(
      query,
      ({ where, ...rest }) =>
        this.points.list({ ...rest, where: { ...where, ...(ids ? { id: { in: ids } } : {}) } }),
      'asc',
    );
    return { items: page.items.map(toServicePointView), nextCursor: page.nextCursor };
  }

  /** Caller access was checked by the guard. */
  async get(id: string): Promise<ServicePointView> {
    const row = await this.points.find(id);
    if (!row) throw AppError.notFound('Service point');
    return toServicePointView(row);
  }

  async update(
    id: string,
    dto: UpdateServicePointDto,
    actor: AuditActor,
  ): Promise<ServicePointView> {
    const current = await this.points.find(id);
    if (!current) throw AppError.notFound('Service point');
    const data: Prisma.ServicePointUpdateInput = {};
    if (dto.name !== undefined) data.name = dto.name;
    if (dto.phoneNumber !== undefined) data.phoneNumber = dto.phoneNumber;
    if (dto.timezone !== undefined) data.timezone = dto.timezone;
    if (dto.workingHours !== undefined) data.workingHours = { ...dto.workingHours };
    if (dto.botEnabled !== undefined) data.botEnabled = dto.botEnabled;
    if (dto.followups !== undefined) {
      const { webhookSecret, ...rest } = dto.followups;
      const merged: FollowupSettings = {
        ...DEFAULT_FOLLOWUPS,
        ...(current.followups as Partial<FollowupSettings>),
        ...rest,
      };
      data.followups = merged as unknown as Prisma.InputJsonValue;
      if (webhookSecret !== undefined) data.followupsWebhookSecret = webhookSecret;
    }
    const row = await this.points.update(id, data);
    await this.audit.record(actor, {
      action: 'service_point.updated',
      entityType: 'service_point',
      entityId: id,
      servicePointId: id,
      data: { fields: Object.keys(dto) },
    });
    return toServicePointView(row);
  }

  async remove(id: string, actor: AuditActor): Promise<void> {
    if (!(await this.points.delete(id))) throw AppError.notFound('Service point');
    await this.audit.record(actor, {
      action: 'service_point.deleted',
      entityType: 'service_point',
      entityId: id,
    });
  }
}
