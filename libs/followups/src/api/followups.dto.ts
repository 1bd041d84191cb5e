import { PageQuery } from '@bandeja/core';
import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { OPERATIONAL_STATUSES } from '../lead/lead-state.service';
import type { OperationalStatus } from '../lead/lead-state.service';
import { ITEM_STATUSES } from '../scheduling/followup-scheduler';
import { DELIVERY_STATUSES } from '../webhooks/webhook-deliveries.service';

export class UpdateLeadStateDto {
  @ApiPropertyOptional({ enum: OPERATIONAL_STATUSES })
  @ValidateIf((_o, v) => v !== undefined)
  @IsIn(OPERATIONAL_STATUSES)
  operationalStatus?: OperationalStatus;

  @ApiPropertyOptional({ nullable: true, description: "A name from the point's catalog" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  businessStatus?: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  pausedUntil?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  forceReopen?: boolean;
}

export class CreateReminderDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Either this or daysOffset' })
  @ValidateIf((o: CreateReminderDto) => o.scheduledAt !== undefined || o.daysOffset === undefined)
  @IsISO8601({ strict: true }, { message: 'give scheduledAt or daysOffset' })
  scheduledAt?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 365, description: 'Either this or scheduledAt' })
  @ValidateIf((o: CreateReminderDto) => o.daysOffset !== undefined)
  @IsInt()
  @Min(0)
  @Max(365)
  daysOffset?: number;

  @ApiPropertyOptional({ default: 'custom' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{0,39}$/)
  kind?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class ListItemsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ITEM_STATUSES })
  @IsOptional()
  @IsIn(ITEM_STATUSES)
  status?: string;
}

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: string;
}

export class CreateBusinessStatusDto {
  @ApiProperty({ example: 'cotizado' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;
}
