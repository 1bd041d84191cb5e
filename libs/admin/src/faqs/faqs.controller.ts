import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { MembershipRole } from '@bandeja/core';
import { CurrentPrincipal, PointAccess, UuidParam } from '@bandeja/auth';
import type { Principal } from '@bandeja/auth';
import { CreateFaqDto, ListFaqsQuery, UpdateFaqDto } from './faq.dto';
import { FaqsService } from './faqs.service';

const FAQ = { from: 'resource', resource: 'faq', param: 'id', label: 'FAQ' } as const;

@ApiTags('faqs')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('faqs')
export class FaqsController {
  constructor(private readonly faqs: FaqsService) {}

  @Post()
  @PointAccess(MembershipRole.MANAGER, { from: 'body', field: 'servicePointId', nullable: true })
  create(@Body() dto: CreateFaqDto) {
    return this.faqs.create(dto);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListFaqsQuery) {
    return this.faqs.list(principal, query);
  }

  @Get(':id')
  @PointAccess(MembershipRole.AGENT, FAQ)
  get(@UuidParam('id') id: string) {
    return this.faqs.get(id);
  }

  @Patch(':id')
  @PointAccess(MembershipRole.MANAGER, FAQ)
  update(@UuidParam('id') id: string, @Body() dto: UpdateFaqDto) {
    return this.faqs.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @PointAccess(MembershipRole.MANAGER, FAQ)
  async remove(@UuidParam('id') id: string) {
    await this.faqs.remove(id);
  }
}
