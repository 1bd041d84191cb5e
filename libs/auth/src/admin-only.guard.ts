import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, UserRole } from '@bandeja/core';
import type { Request } from 'express';
import { ADMIN_ONLY } from './roles';

@Injectable()
export class AdminOnlyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!adminOnly) return true;
    const principal = context.switchToHttp().getRequest<Request>().principal;
    if (!principal) throw AppError.unauthorized();
    if (principal.role !== UserRole.ADMIN) throw AppError.forbidden('Only admins may do this');
    return true;
  }
}
