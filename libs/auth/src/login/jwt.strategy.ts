import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { createSecretKey } from 'node:crypto';
import { AppConfig } from '@bandeja/core';
import type { Principal } from '../principal';
import { AuthService, JwtPayload } from './auth.service';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      ignoreExpiration: false,
      // A KeyObject made once: given the string, jsonwebtoken (9) builds one on every request.
      // passport-jwt passes it through untouched; its types only name string | Buffer.
      secretOrKey: createSecretKey(Buffer.from(config.JWT_SECRET)) as unknown as Buffer,
      algorithms: ['HS256'],
    });
  }

  async validate(payload: JwtPayload): Promise<Principal | false> {
    if (typeof payload?.sub !== 'string') return false;
    return (await this.auth.principalForUser(payload.sub)) ?? false;
  }
}
