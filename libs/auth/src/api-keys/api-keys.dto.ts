import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsEnum,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ApiKeyRole } from '@bandeja/core';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'n8n production' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;

  @ApiProperty({
    enum: ApiKeyRole,
    description:
      'ADMIN acts as an admin; MANAGER or AGENT act as that member role in servicePointIds',
  })
  @IsEnum(ApiKeyRole)
  role: ApiKeyRole;

  @ApiPropertyOptional({
    type: [String],
    description: 'Points the key may act in (ignored for ADMIN)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  servicePointIds?: string[];
}
