import { Injectable } from '@nestjs/common';
import { AppError, Coalescer, MembershipRole, PrismaService, UserRole } from '@bandeja/core';
import type { Principal } from '../principal';

const RANK: Record<MembershipRole, number> = { AGENT: 1, MANAGER: 2 };

/**
 * The one place that decides what a caller may see: membership checks for single points and
 * the point filter for lists. Everything tenant-scoped goes through here.
 */
@Injectable()
export class TenancyService {
  /** Concurrent admin requests ask whether their points exist in one statement. */
  private readonly points = new Coalescer<string, boolean>(
    async (ids) => {
      const rows = await this.prisma.servicePoint.findMany({
        where: { id: { in: [...new Set(ids)] } },
        select: { id: true },
      });
      const found = new Set(rows.map((row) => row.id));
      // Postgres compares uuid values and answers them in lower case.
      return ids.map((id) => found.has(id.toLowerCase()));
    },
    { maxBatch: 200, maxInFlight: 4 },
  );

  constructor(private readonly prisma: PrismaService) {}

  isAdmin(principal: Principal): boolean {
    return principal.role === UserRole.ADMIN;
  }

  /**
   * Checks that `principal` may act in `servicePointId` with at least `minRole`.
   * Not a member (or no such point) → 404; member with a lower role → 403.
   */
  async assertAccess(
    principal: Principal,
    servicePointId: string,
    minRole: MembershipRole,
    what = 'Service point',
  ): Promise<void> {
    if (this.isAdmin(principal)) {
      if (!(await this.points.submit(servicePointId))) throw AppError.notFound(what);
      return;
    }
    const role = principal.memberships.get(servicePointId);
    // Same answer as for a resource that does not exist: never reveal another point's data.
    if (!role) throw AppError.notFound(what);
    if (RANK[role] < RANK[minRole])
      throw AppError.forbidden(`This needs the ${minRole} role in the service point`);
  }

  /** Point ids the caller may read, or `undefined` for "all" (admins). */
  visiblePointIds(principal: Principal): string[] | undefined {
    return this.isAdmin(principal) ? undefined : [...principal.memberships.keys()];
  }

  /** A Prisma `where` fragment limiting rows to the caller's points. */
  pointFilter(principal: Principal): { servicePointId?: { in: string[] } } {
    const ids = this.visiblePointIds(principal);
    return ids ? { servicePointId: { in: ids } } : {};
  }

  /** True when the caller may read `servicePointId` (used to filter explicit query params). */
  canSee(principal: Principal, servicePointId: string): boolean {
    return this.isAdmin(principal) || principal.memberships.has(servicePointId);
  }
}
