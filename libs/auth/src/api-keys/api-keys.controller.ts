import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuditActor } from '@bandeja/core';
import { PageQuery } from '@bandeja/core';
import { AuditActorFrom } from '../current-principal.decorator';
import { AdminOnly } from '../roles';
import { UuidParam } from '../uuid-param';
import { CreateApiKeyDto } from './api-keys.dto';
import { ApiKeysService } from './api-keys.service';

@ApiTags('api-keys')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@AdminOnly()
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  create(@Body() dto: CreateApiKeyDto, @AuditActorFrom() actor: AuditActor) {
    return this.keys.create(dto, actor);
  }

  @Get()
  list(@Query() query: PageQuery) {
    return this.keys.list(query);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@UuidParam('id') id: string, @AuditActorFrom() actor: AuditActor) {
    await this.keys.remove(id, actor);
  }
}
