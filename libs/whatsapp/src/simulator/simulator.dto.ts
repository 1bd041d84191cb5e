import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { E164_RE } from '../channel/phone';

export class SimulatorInboundDto {
  @ApiProperty({ example: '+59170000001', description: "The customer's phone (E.164)" })
  @Matches(E164_RE, { message: 'from must be a phone number in E.164 form, e.g. +59170000001' })
  from: string;

  @ApiProperty({ example: 'Hola, ¿dónde está mi paquete LP-2024-000187?' })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  text: string;

  @ApiPropertyOptional({
    description: 'Provider id of the message; repeating one is recognised as a redelivery',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, {
    message: 'providerMessageId may hold 1-128 letters, digits, ".", "_", ":" or "-"',
  })
  providerMessageId?: string;

  @ApiPropertyOptional({ example: 'Carla' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  pushName?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsDateString({ strict: true })
  timestamp?: string;
}
