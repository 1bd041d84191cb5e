import type { MembershipRole, UserRole } from '@bandeja/core';

/** Who is calling: a person (JWT) or a machine (API key), with the points it may act in. */
export interface Principal {
  kind: 'user' | 'apiKey';
  /** The user id or the API key id. */
  id: string;
  userId: string | null;
  apiKeyId: string | null;
  role: UserRole;
  memberships: ReadonlyMap<string, MembershipRole>;
}

declare module 'express' {
  interface Request {
    principal?: Principal;
    /** Set by PointAccessGuard: the service point the request acts in. */
    servicePointId?: string | null;
  }
}
