import { CONVERSATION_FROM_ID } from '@bandeja/inbox';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { OnModuleInit } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AppError, MembershipRole, paginateByCreatedAt, PrismaService } from '@bandeja/core';
import {
  CurrentPrincipal,
  PointAccess,
  PointResolverRegistry,
  TenancyService,
  UuidParam,
  POINT_FROM_ID,
} from '@bandeja/auth';
import type { Principal } from '@bandeja/auth';
import { LeadStateService } from '../lead/lead-state.service';
import { toDeliveryView, WebhookDeliveries } from '../webhooks/webhook-deliveries.service';
import {
  CreateBusinessStatusDto,
  CreateReminderDto,
  ListDeliveriesQuery,
  ListItemsQuery,
  UpdateLeadStateDto,
} from './followups.dto';

const REMINDER = {
  from: 'resource',
  resource: 'reminder',
  param: 'id',
  label: 'Reminder',
} as const;
const DELIVERY = {
  from: 'resource',
  resource: 'webhook-delivery',
  param: 'id',
  label: 'Webhook delivery',
} as const;

/** The contract's "Follow-ups": lead state and reminders (members), catalog and webhooks (managers). */
@ApiTags('followups')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller()
export class FollowupsController implements OnModuleInit {
  constructor(
    private readonly leads: LeadStateService,
    private readonly webhooks: WebhookDeliveries,
    private readonly prisma: PrismaService,
    private readonly tenancy: TenancyService,
    private readonly resolvers: PointResolverRegistry,
  ) {}

  onModuleInit(): void {
    this.resolvers.register('reminder', (id) => this.leads.pointOfItem(id));
    this.resolvers.register('webhook-delivery', async (id) => {
      const row = await this.prisma.webhookDelivery.findUnique({
        where: { id },
        select: { servicePointId: true },
      });
      return row?.servicePointId;
    });
  }

  @Get('conversations/:id/lead-state')
  @PointAccess(MembershipRole.AGENT, CONVERSATION_FROM_ID)
  @ApiOperation({ summary: "The conversation's lead state" })
  getLead(@UuidParam('id') id: string) {
    return this.leads.get(id);
  }

  @Put('conversations/:id/lead-state')
  @PointAccess(MembershipRole.AGENT, CONVERSATION_FROM_ID)
  @ApiOperation({ summary: 'Change the lead state (blocked statuses need forceReopen to leave)' })
  putLead(@UuidParam('id') id: string, @Body() dto: UpdateLeadStateDto) {
    return this.leads.update(id, dto);
  }

  @Post('conversations/:id/reminders')
  @PointAccess(MembershipRole.AGENT, CONVERSATION_FROM_ID)
  @ApiOperation({ summary: 'Schedule an independent reminder (scheduledAt or daysOffset)' })
  createReminder(@UuidParam('id') id: string, @Body() dto: CreateReminderDto) {
    if ((dto.scheduledAt === undefined) === (dto.daysOffset === undefined)) {
      throw AppError.validation([
        { field: 'scheduledAt', message: 'give exactly one of scheduledAt and daysOffset' },
      ]);
    }
    return this.leads.createReminder(id, dto);
  }

  @Get('conversations/:id/reminders')
  @PointAccess(MembershipRole.AGENT, CONVERSATION_FROM_ID)
  @ApiOperation({ summary: 'Every scheduled item of the conversation' })
  listReminders(@UuidParam('id') id: string, @Query() query: ListItemsQuery) {
    return this.leads.listReminders(id, query);
  }

  @Post('reminders/:id/cancel')
  @HttpCode(200)
  @PointAccess(MembershipRole.AGENT, REMINDER)
  @ApiOperation({ summary: 'Cancel a scheduled item' })
  cancelReminder(@UuidParam('id') id: string) {
    return this.leads.cancelReminder(id);
  }

  @Get('service-points/:id/business-statuses')
  @PointAccess(MembershipRole.AGENT, POINT_FROM_ID)
  @ApiOperation({ summary: "The point's business status catalog" })
  async listStatuses(@UuidParam('id') id: string) {
    const rows = await this.prisma.businessStatus.findMany({
      where: { servicePointId: id },
      orderBy: { name: 'asc' },
    });
    return {
      items: rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.createdAt })),
      nextCursor: null,
    };
  }

  @Post('service-points/:id/business-statuses')
  @PointAccess(MembershipRole.MANAGER, POINT_FROM_ID)
  @ApiOperation({ summary: 'Add a business status to the catalog' })
  async addStatus(@UuidParam('id') id: string, @Body() dto: CreateBusinessStatusDto) {
    const name = dto.name.trim();
    const exists = await this.prisma.businessStatus.findUnique({
      where: { servicePointId_name: { servicePointId: id, name } },
    });
    if (exists) throw AppError.conflict('already_exists', `"${name}" is already in the catalog`);
    const row = await this.prisma.businessStatus.create({ data: { servicePointId: id, name } });
    return { id: row.id, name: row.name, createdAt: row.createdAt };
  }

  @Delete('service-points/:id/business-statuses/:name')
  @HttpCode(204)
  @PointAccess(MembershipRole.MANAGER, POINT_FROM_ID)
  @ApiOperation({ summary: 'Remove a business status from the catalog' })
  async removeStatus(@UuidParam('id') id: string, @Param('name') name: string) {
    const { count } = await this.prisma.businessStatus.deleteMany({
      where: { servicePointId: id, name },
    });
    if (!count) throw AppError.notFound('Business status');
  }

  @Get('webhook-deliveries')
  @ApiOperation({ summary: 'Follow-up webhook deliveries of the points the caller manages' })
  async listDeliveries(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListDeliveriesQuery,
  ) {
    const managed = this.tenancy.isAdmin(principal)
      ? undefined
      : [...principal.memberships].filter(([, role]) => role === 'MANAGER').map(([id]) => id);
    const page = await paginateByCreatedAt(query, ({ where, take, orderBy }) =>
      this.prisma.webhookDelivery.findMany({
        where: {
          AND: [
            where,
            managed ? { servicePointId: { in: managed } } : {},
            query.status ? { status: query.status } : {},
          ],
        },
        orderBy,
        take,
      }),
    );
    return { items: page.items.map(toDeliveryView), nextCursor: page.nextCursor };
  }

  @Post('webhook-deliveries/:id/retry')
  @HttpCode(202)
  @PointAccess(MembershipRole.MANAGER, DELIVERY)
  @ApiOperation({ summary: 'Send a delivery again (same delivery id)' })
  retryDelivery(@UuidParam('id') id: string) {
    return this.webhooks.retry(id);
  }
}
