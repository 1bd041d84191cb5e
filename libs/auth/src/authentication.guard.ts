import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppError, IS_PUBLIC } from '@bandeja/core';
import type { Request } from 'express';
import { ApiKeysService } from './api-keys/api-keys.service';
import type { Principal } from './principal';

/**
 * Global guard: every route needs a caller unless marked @Public(). `X-Api-Key` is checked
 * first; otherwise a Bearer JWT through passport-jwt.
 */
@Injectable()
export class AuthenticationGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const apiKey = req.headers['x-api-key'];
    if (apiKey !== undefined) {
      const principal = await this.apiKeys.authenticate(Array.isArray(apiKey) ? apiKey[0] : apiKey);
      if (!principal) throw AppError.unauthorized('The API key is not valid', 'invalid_api_key');
      req.principal = principal;
      return true;
    }
    if (!req.headers.authorization)
      throw AppError.unauthorized('Send a Bearer token or an X-Api-Key header');
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser = Principal>(
    err: unknown,
    user: TUser | false,
    _info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (err || !user)
      throw AppError.unauthorized('The access token is invalid or expired', 'invalid_token');
    context.switchToHttp().getRequest<Request>().principal = user as unknown as Principal;
    return user;
  }
}
