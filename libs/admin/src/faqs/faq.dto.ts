import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { PageQuery } from '@bandeja/core';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const trimEach = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim() : v)) : value;

export class CreateFaqDto {
  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description: 'null or absent = global (admins only)',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID('all')
  servicePointId?: string | null;

  @ApiProperty({ example: '¿Cuál es el horario de atención?' })
  @Transform(trim)
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  question: string;

  @ApiProperty({ example: 'Atendemos de lunes a sábado de 9:00 a 22:00.' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  answer: string;

  @ApiPropertyOptional({ type: [String], example: ['horario', 'hora', 'abren'] })
  @IsOptional()
  @Transform(trimEach)
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(64, { each: true })
  keywords?: string[];
}

/** Every field optional; whether a FAQ is global or a point's never changes. */
export class UpdateFaqDto extends PartialType(
  OmitType(CreateFaqDto, ['servicePointId'] as const),
) {}

export class ListFaqsQuery extends PageQuery {
  @ApiPropertyOptional({
    format: 'uuid',
    description: "Only this point's FAQs (plus global ones unless includeGlobal=false)",
  })
  @IsOptional()
  @IsUUID('all')
  servicePointId?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  includeGlobal?: boolean;
}
