import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AppError } from '@bandeja/core';
import type { Request } from 'express';
import type { Principal } from './principal';

/** The authenticated caller; routes behind the global guard always have one. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => {
    const req = ctx.switchToHttp().getRequest<Request>();
    if (!req.principal) throw AppError.unauthorized();
    return req.principal;
  },
);

/** Actor fields for the audit log, from the request. */
export const AuditActorFrom = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const req = ctx.switchToHttp().getRequest<Request>();
  return {
    userId: req.principal?.userId ?? null,
    apiKeyId: req.principal?.apiKeyId ?? null,
    requestId: String(req.id ?? ''),
  };
});
