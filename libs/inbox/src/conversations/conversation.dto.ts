import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsEnum,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { ConversationStatus, PageQuery } from '@bandeja/core';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** "me", "none" or a user id. */
const ASSIGNED_TO_RE =
  /^(?:me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

export class ListConversationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ConversationStatus })
  @IsOptional()
  @IsEnum(ConversationStatus)
  status?: ConversationStatus;

  @ApiPropertyOptional({
    description: '"me" (the signed-in user), "none" (unassigned) or a user id',
    example: 'me',
  })
  @IsOptional()
  @Matches(ASSIGNED_TO_RE, { message: 'assignedTo must be "me", "none" or a user id' })
  assignedTo?: string;

  @ApiPropertyOptional({
    description:
      "Matches the customer's phone (digits, with or without +), name, or any message text",
    minLength: 1,
    maxLength: 100,
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  search?: string;
}

export class UpdateConversationDto {
  @ApiPropertyOptional({
    enum: ConversationStatus,
    description: 'BOT lets the bot answer; HUMAN hands over to agents',
  })
  // Absent is fine, null is not (IsOptional would let null through).
  @ValidateIf((_o, v) => v !== undefined)
  @IsEnum(ConversationStatus)
  status?: ConversationStatus;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description: 'A member of the point or an admin; null unassigns',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID('all', { message: 'assignedToUserId must be a UUID or null' })
  assignedToUserId?: string | null;
}

export const MESSAGE_ORDERS = ['asc', 'desc'] as const;
export type MessageOrder = (typeof MESSAGE_ORDERS)[number];

export class ListMessagesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: MESSAGE_ORDERS, default: 'desc' })
  @IsOptional()
  @IsIn(MESSAGE_ORDERS)
  order?: MessageOrder;
}
