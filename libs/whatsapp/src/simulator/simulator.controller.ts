import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  AppError,
  ChannelProviderKind,
  MembershipRole,
  PrismaService,
  WhatsappState,
} from '@bandeja/core';
import { PointAccess, UuidParam, POINT_FROM_ID } from '@bandeja/auth';
import { randomUUID } from 'node:crypto';
import { SessionStatusService } from '../api/session-status.service';
import { INBOUND_SINK } from '../session/inbound-sink';
import type { InboundSink } from '../session/inbound-sink';
import { SimulatorInboundDto } from './simulator.dto';

/** A customer writing to a SIMULATOR point: enters the same pipeline as Baileys' messages. */
@ApiTags('simulator')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('service-points/:id/simulator')
export class SimulatorController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly status: SessionStatusService,
    @Inject(INBOUND_SINK) private readonly sink: InboundSink,
  ) {}

  /** A point's provider never changes, so it is read once per point (the guard checks existence). */
  private readonly providers = new Map<string, ChannelProviderKind>();

  private async providerOf(id: string): Promise<ChannelProviderKind> {
    const known = this.providers.get(id);
    if (known) return known;
    const point = await this.prisma.servicePoint.findUnique({
      where: { id },
      select: { provider: true },
    });
    if (!point) throw AppError.notFound('Service point');
    if (this.providers.size >= 10_000) this.providers.clear();
    this.providers.set(id, point.provider);
    return point.provider;
  }

  @Post('inbound')
  @HttpCode(202)
  @PointAccess(MembershipRole.AGENT, POINT_FROM_ID)
  @ApiOperation({ summary: 'Deliver a customer message to a SIMULATOR point' })
  async inbound(@UuidParam('id') id: string, @Body() dto: SimulatorInboundDto) {
    const provider = await this.providerOf(id);
    if (provider !== ChannelProviderKind.SIMULATOR) {
      throw AppError.conflict(
        'not_a_simulator',
        'This service point uses a real WhatsApp number, not the simulator',
      );
    }
    const session = await this.status.get(id);
    if (session.state !== WhatsappState.CONNECTED) {
      throw AppError.unavailable(
        'whatsapp_not_ready',
        `The simulator of this point is not connected (state ${session.state})`,
        {
          state: session.state,
        },
      );
    }
    const providerMessageId = dto.providerMessageId ?? `sim-in-${randomUUID()}`;
    const stored = (await this.sink.accept({
      servicePointId: id,
      providerMessageId,
      customerPhone: dto.from,
      pushName: dto.pushName ?? null,
      text: dto.text,
      kind: 'text',
      fromMe: false,
      timestamp: dto.timestamp ? new Date(dto.timestamp) : new Date(),
    })) as { duplicate: boolean };
    return { providerMessageId, duplicate: stored.duplicate };
  }
}
