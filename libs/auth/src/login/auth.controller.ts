import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '@bandeja/core';
import { CurrentPrincipal } from '../current-principal.decorator';
import type { Principal } from '../principal';
import { AuthService } from './auth.service';
import { LoginDto } from './login.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange e-mail and password for a bearer token (rate limited)' })
  login(@Body() dto: LoginDto, @Req() req: Request) {
    return this.auth.login(
      dto.email,
      dto.password,
      req.ip ?? req.socket.remoteAddress ?? 'unknown',
    );
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiSecurity('apiKey')
  me(@CurrentPrincipal() principal: Principal) {
    return this.auth.me(principal);
  }
}
