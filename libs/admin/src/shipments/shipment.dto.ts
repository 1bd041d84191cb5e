import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsDateString,
  IsEnum,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { PageQuery, ShipmentStatus } from '@bandeja/core';
import { TRACKING_NUMBER_RE } from './tracking-number';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateShipmentDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  servicePointId: string;

  @ApiProperty({ example: 'LP-2024-000187' })
  @Transform(trim)
  @IsString()
  @MinLength(3)
  @MaxLength(64)
  @Matches(TRACKING_NUMBER_RE, {
    message: 'trackingNumber may hold letters, digits, spaces and dashes',
  })
  trackingNumber: string;

  @ApiPropertyOptional({ enum: ShipmentStatus, default: ShipmentStatus.CREATED })
  @IsOptional()
  @IsEnum(ShipmentStatus)
  status?: ShipmentStatus;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(200)
  origin?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(200)
  destination?: string | null;

  @ApiPropertyOptional({ nullable: true, format: 'date-time' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsDateString({ strict: true })
  eta?: string | null;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When the status last changed (default: now)',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  lastUpdate?: string;
}

/** Every field optional; the point a shipment belongs to never changes. */
export class UpdateShipmentDto extends PartialType(
  OmitType(CreateShipmentDto, ['servicePointId'] as const),
) {}

export class ListShipmentsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  servicePointId?: string;

  @ApiPropertyOptional({ description: 'Matched ignoring case, spaces and dashes' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  trackingNumber?: string;

  @ApiPropertyOptional({ enum: ShipmentStatus })
  @IsOptional()
  @IsEnum(ShipmentStatus)
  status?: ShipmentStatus;
}
