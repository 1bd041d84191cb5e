import { SetMetadata } from '@nestjs/common';
import type { MembershipRole } from '@bandeja/core';

/** Where the guard finds the service point a request acts in. */
export type PointSource =
  /** The path parameter is the service point id. */
  | { from: 'point'; param: string }
  /** The path parameter is the id of a resource; a registered resolver gives its point. */
  | { from: 'resource'; resource: string; param: string; label: string }
  /** A body field holds the point id; `nullable` means null/absent = global (admins only). */
  | { from: 'body'; field: string; nullable?: boolean };

export interface PointAccessRule {
  minRole: MembershipRole;
  source: PointSource;
}

export const POINT_ACCESS = 'bandeja:pointAccess';

/** The most common source: the route's `:id` is the service point. */
export const POINT_FROM_ID = { from: 'point', param: 'id' } as const satisfies PointSource;

/**
 * Declares that a route acts inside one service point. The caller must be an admin or a member
 * with at least `minRole`; a point (or resource) the caller is not a member of is 404.
 */
export const PointAccess = (minRole: MembershipRole, source: PointSource) =>
  SetMetadata(POINT_ACCESS, { minRole, source } satisfies PointAccessRule);
