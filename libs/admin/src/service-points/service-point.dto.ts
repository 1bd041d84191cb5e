import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ChannelProviderKind, IsTimeZone } from '@bandeja/core';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export class WorkingHoursDto {
  @ApiProperty({
    type: [Number],
    example: [1, 2, 3, 4, 5, 6],
    description: '1 = Monday … 7 = Sunday',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(7)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(7, { each: true })
  days: number[];

  @ApiProperty({ example: '09:00' })
  @Matches(HHMM, { message: 'start must be HH:mm (24 h)' })
  start: string;

  @ApiProperty({
    example: '22:00',
    description: 'May be earlier than start: the hours then run past midnight',
  })
  @Matches(HHMM, { message: 'end must be HH:mm (24 h)' })
  end: string;
}

export class FollowupSettingsDto {
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ default: 600, minimum: 1, maximum: 2592000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(30 * 24 * 3600)
  inactivitySeconds?: number;

  @ApiPropertyOptional({ type: [Number], default: [86400, 259200, 604800] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(365 * 24 * 3600, { each: true })
  reminderOffsetsSeconds?: number[];

  @ApiPropertyOptional({ default: 3, minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  summaryThreshold?: number;

  @ApiPropertyOptional({ nullable: true, example: 'https://n8n.example.com/webhook/bandeja' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2048)
  webhookUrl?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    writeOnly: true,
    description: 'HMAC key for X-Bandeja-Signature; never returned',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  webhookSecret?: string | null;
}

export class CreateServicePointDto {
  @ApiProperty({ example: 'Sucursal Centro' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;

  @ApiProperty({ enum: ChannelProviderKind })
  @IsEnum(ChannelProviderKind)
  provider: ChannelProviderKind;

  @ApiPropertyOptional({ example: '+59170000000', nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'phoneNumber must be in E.164 form, e.g. +59170000000' })
  phoneNumber?: string | null;

  @ApiPropertyOptional({ example: 'America/La_Paz' })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;

  @ApiPropertyOptional({ type: WorkingHoursDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => WorkingHoursDto)
  workingHours?: WorkingHoursDto;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  botEnabled?: boolean;

  @ApiPropertyOptional({ type: FollowupSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => FollowupSettingsDto)
  followups?: FollowupSettingsDto;
}

/** Every field optional except the provider, which never changes; `followups` is merged. */
export class UpdateServicePointDto extends PartialType(
  OmitType(CreateServicePointDto, ['provider'] as const),
) {}
