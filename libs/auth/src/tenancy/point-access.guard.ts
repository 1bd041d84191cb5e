import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '@bandeja/core';
import type { Request } from 'express';
import { UUID_RE } from '../uuid-param';
import { POINT_ACCESS, PointAccessRule } from './point-access.decorator';
import { PointResolverRegistry } from './point-resolver.registry';
import { TenancyService } from './tenancy.service';

/** Enforces @PointAccess on every route that declares it (registered globally). */
@Injectable()
export class PointAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tenancy: TenancyService,
    private readonly resolvers: PointResolverRegistry,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<PointAccessRule | undefined>(POINT_ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const principal = req.principal;
    if (!principal) throw AppError.unauthorized();
    const { source } = rule;

    let pointId: string | null | undefined;
    let what = 'Service point';
    if (source.from === 'body') {
      const value = (req.body as Record<string, unknown> | undefined)?.[source.field];
      if (value === undefined || value === null) {
        if (!source.nullable) return true; // the validation pipe reports the missing field
        pointId = null;
      } else if (typeof value !== 'string' || !UUID_RE.test(value)) {
        return true; // the validation pipe reports the malformed field
      } else {
        pointId = value.toLowerCase();
      }
    } else {
      const raw = req.params[source.param];
      const param = Array.isArray(raw) ? raw[0] : raw;
      if (!param || !UUID_RE.test(param)) {
        throw AppError.validation([
          { field: source.param, message: `${source.param} must be a UUID` },
        ]);
      }
      if (source.from === 'point') {
        pointId = param.toLowerCase();
      } else {
        what = source.label;
        pointId = await this.resolvers.get(source.resource)(param.toLowerCase());
        if (pointId === undefined) throw AppError.notFound(what);
      }
    }

    if (pointId === null) {
      // A global resource: readable by everyone signed in, changed only by admins.
      if (req.method !== 'GET' && req.method !== 'HEAD' && !this.tenancy.isAdmin(principal)) {
        throw AppError.forbidden('Only admins may change global resources');
      }
      req.servicePointId = null;
      return true;
    }
    await this.tenancy.assertAccess(principal, pointId, rule.minRole, what);
    req.servicePointId = pointId;
    return true;
  }
}
