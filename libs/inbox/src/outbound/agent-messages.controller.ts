import { CONVERSATION_FROM_ID } from '../conversations/conversations.service';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { AuditActor } from '@bandeja/core';
import { MembershipRole } from '@bandeja/core';
import { AuditActorFrom, PointAccess, UuidParam } from '@bandeja/auth';
import { AgentSendService } from './agent-send.service';

export class SendMessageDto {
  @ApiProperty({ example: 'Hola Carla, tu paquete sale hoy.' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  content: string;
}

@ApiTags('inbox')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('conversations/:id/messages')
export class AgentMessagesController {
  constructor(private readonly agentSend: AgentSendService) {}

  @Post()
  @HttpCode(202)
  @PointAccess(MembershipRole.AGENT, CONVERSATION_FROM_ID)
  @ApiOperation({
    summary:
      "Send as an agent through the point's own session (503 whatsapp_not_ready when it cannot)",
  })
  send(
    @UuidParam('id') id: string,
    @Body() dto: SendMessageDto,
    @AuditActorFrom() actor: AuditActor,
  ) {
    return this.agentSend.send(id, dto.content, actor);
  }
}
