import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { MembershipRole } from '@bandeja/core';
import { CurrentPrincipal, PointAccess, UuidParam } from '@bandeja/auth';
import type { Principal } from '@bandeja/auth';
import { CreateShipmentDto, ListShipmentsQuery, UpdateShipmentDto } from './shipment.dto';
import { ShipmentsService } from './shipments.service';

const SHIPMENT = {
  from: 'resource',
  resource: 'shipment',
  param: 'id',
  label: 'Shipment',
} as const;

@ApiTags('shipments')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('shipments')
export class ShipmentsController {
  constructor(private readonly shipments: ShipmentsService) {}

  @Post()
  @PointAccess(MembershipRole.MANAGER, { from: 'body', field: 'servicePointId' })
  create(@Body() dto: CreateShipmentDto) {
    return this.shipments.create(dto);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListShipmentsQuery) {
    return this.shipments.list(principal, query);
  }

  @Get(':id')
  @PointAccess(MembershipRole.AGENT, SHIPMENT)
  get(@UuidParam('id') id: string) {
    return this.shipments.get(id);
  }

  @Patch(':id')
  @PointAccess(MembershipRole.MANAGER, SHIPMENT)
  update(@UuidParam('id') id: string, @Body() dto: UpdateShipmentDto) {
    return this.shipments.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @PointAccess(MembershipRole.MANAGER, SHIPMENT)
  async remove(@UuidParam('id') id: string) {
    await this.shipments.remove(id);
  }
}
