import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuditActor } from '@bandeja/core';
import { PageQuery } from '@bandeja/core';
import { AuditActorFrom, CurrentPrincipal } from '../current-principal.decorator';
import type { Principal } from '../principal';
import { AdminOnly } from '../roles';
import { UuidParam } from '../uuid-param';
import { CreateUserDto, UpdateUserDto } from './users.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@AdminOnly()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  create(@Body() dto: CreateUserDto, @AuditActorFrom() actor: AuditActor) {
    return this.users.create(dto, actor);
  }

  @Get()
  list(@Query() query: PageQuery) {
    return this.users.list(query);
  }

  @Get(':id')
  get(@UuidParam('id') id: string) {
    return this.users.get(id);
  }

  @Patch(':id')
  update(
    @UuidParam('id') id: string,
    @Body() dto: UpdateUserDto,
    @CurrentPrincipal() caller: Principal,
    @AuditActorFrom() actor: AuditActor,
  ) {
    return this.users.update(id, dto, caller, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(
    @UuidParam('id') id: string,
    @CurrentPrincipal() caller: Principal,
    @AuditActorFrom() actor: AuditActor,
  ) {
    await this.users.remove(id, caller, actor);
  }
}
