import { Body, Controller, Delete, Get, HttpCode, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AuditActor } from '@bandeja/core';
import { MembershipRole, PageQuery } from '@bandeja/core';
import { AuditActorFrom } from '../current-principal.decorator';
import { PointAccess, POINT_FROM_ID } from '../tenancy/point-access.decorator';
import { UuidParam } from '../uuid-param';
import { PutMemberDto } from './members.dto';
import { MembersService } from './members.service';

@ApiTags('members')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('service-points/:id/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @PointAccess(MembershipRole.AGENT, POINT_FROM_ID)
  list(@UuidParam('id') id: string, @Query() query: PageQuery) {
    return this.members.list(id, query);
  }

  @Put(':userId')
  @PointAccess(MembershipRole.MANAGER, POINT_FROM_ID)
  put(
    @UuidParam('id') id: string,
    @UuidParam('userId') userId: string,
    @Body() dto: PutMemberDto,
    @AuditActorFrom() actor: AuditActor,
  ) {
    return this.members.put(id, userId, dto.role, actor);
  }

  @Delete(':userId')
  @HttpCode(204)
  @PointAccess(MembershipRole.MANAGER, POINT_FROM_ID)
  async remove(
    @UuidParam('id') id: string,
    @UuidParam('userId') userId: string,
    @AuditActorFrom() actor: AuditActor,
  ) {
    await this.members.remove(id, userId, actor);
  }
}
