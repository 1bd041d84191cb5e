import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuditActor } from '@bandeja/core';
import { MembershipRole, PageQuery } from '@bandeja/core';
import {
  AdminOnly,
  AuditActorFrom,
  CurrentPrincipal,
  PointAccess,
  UuidParam,
  POINT_FROM_ID,
} from '@bandeja/auth';
import type { Principal } from '@bandeja/auth';
import { CreateServicePointDto, UpdateServicePointDto } from './service-point.dto';
import { ServicePointsService } from './service-points.service';

@ApiTags('service-points')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('service-points')
export class ServicePointsController {
  constructor(private readonly points: ServicePointsService) {}

  @Post()
  @AdminOnly()
  create(@Body() dto: CreateServicePointDto, @AuditActorFrom() actor: AuditActor) {
    return this.points.create(dto, actor);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery) {
    return this.points.list(principal, query);
  }

  @Get(':id')
  @PointAccess(MembershipRole.AGENT, POINT_FROM_ID)
  get(@UuidParam('id') id: string) {
    return this.points.get(id);
  }

  @Patch(':id')
  @PointAccess(MembershipRole.MANAGER, POINT_FROM_ID)
  update(
    @UuidParam('id') id: string,
    @Body() dto: UpdateServicePointDto,
    @AuditActorFrom() actor: AuditActor,
  ) {
    return this.points.update(id, dto, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @AdminOnly()
  @PointAccess(MembershipRole.AGENT, POINT_FROM_ID)
  async remove(@UuidParam('id') id: string, @AuditActorFrom() actor: AuditActor) {
    await this.points.remove(id, actor);
  }
}
