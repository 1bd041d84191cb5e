import { AppError, MembershipRole, PrismaService, UserRole } from '@bandeja/core';
import type { Principal } from '../principal';
import { TenancyService } from './tenancy.service';

const POINT_A = '11111111-1111-4111-8111-111111111111';
const POINT_B = '22222222-2222-4222-8222-222222222222';
const POINT_C = '33333333-3333-4333-8333-333333333333';
const MISSING = '99999999-9999-4999-8999-999999999999';

/** A prisma stand-in that knows a fixed set of service points and records its queries. */
function fakePrisma(existing: string[]) {
  const queries: unknown[] = [];
  const prisma = {
    servicePoint: {
      findMany: async ({ where }: { where: { id: { in: string[] } } }) => {
        queries.push(where);
        return existing.filter((id) => where.id.in.includes(id)).map((id) => ({ id }));
      },
    },
  };
  return { prisma: prisma as unknown as PrismaService, queries };
}

const admin = (): Principal => ({
  kind: 'user',
  id: 'admin-1',
  userId: 'admin-1',
  apiKeyId: null,
  role: UserRole.ADMIN,
  memberships: new Map(),
});

const member = (memberships: [string, MembershipRole][]): Principal => ({
  kind: 'user',
  id: 'user-1',
  userId: 'user-1',
  apiKeyId: null,
  role: UserRole.AGENT,
  memberships: new Map(memberships),
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(AppError);
  return outcome as AppError;
}

describe('TenancyService', () => {
  let tenancy: TenancyService;
  let queries: unknown[];

  beforeEach(() => {
    const fake = fakePrisma([POINT_A, POINT_B, POINT_C]);
    tenancy = new TenancyService(fake.prisma);
    queries = fake.queries;
  });

  describe('isAdmin', () => {
    it.each<[string, Principal, boolean]>([
      ['an admin user', admin(), true],
      ['an admin API key', { ...admin(), kind: 'apiKey', userId: null, apiKeyId: 'k1' }, true],
      ['an agent user', member([[POINT_A, MembershipRole.MANAGER]]), false],
    ])('is %p for %s', (_label, principal, expected) => {
      expect(tenancy.isAdmin(principal)).toBe(expected);
    });
  });

  describe('assertAccess for admins', () => {
    it.each([MembershipRole.AGENT, MembershipRole.MANAGER])(
      'passes for an existing point at any role (%s) without memberships',
      async (minRole) => {
        await expect(tenancy.assertAccess(admin(), POINT_A, minRole)).resolves.toBeUndefined();
        expect(queries).toEqual([{ id: { in: [POINT_A] } }]);
      },
    );

    it('checks concurrent requests in one query, each getting its own answer', async () => {
      const settled = await Promise.allSettled([
        tenancy.assertAccess(admin(), POINT_A, MembershipRole.AGENT),
        tenancy.assertAccess(admin(), MISSING, MembershipRole.AGENT),
        tenancy.assertAccess(admin(), POINT_A, MembershipRole.MANAGER),
      ]);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(queries).toEqual([{ id: { in: [POINT_A, MISSING] } }]);
    });

    it('is 404 not_found for a point that does not exist', async () => {
      const error = await rejection(tenancy.assertAccess(admin(), MISSING, MembershipRole.AGENT));

      expect(error.getStatus()).toBe(404);
      expect(error.code).toBe('not_found');
      expect(error.message).toBe('Service point not found');
      expect(queries).toEqual([{ id: { in: [MISSING] } }]);
    });

    it('names the resource label in the 404', async () => {
      const error = await rejection(
        tenancy.assertAccess(admin(), MISSING, MembershipRole.AGENT, 'Conversation'),
      );

      expect(error.message).toBe('Conversation not found');
    });
  });

  describe('assertAccess for members', () => {
    it.each<[MembershipRole, MembershipRole]>([
      [MembershipRole.AGENT, MembershipRole.AGENT],
      [MembershipRole.MANAGER, MembershipRole.AGENT],
      [MembershipRole.MANAGER, MembershipRole.MANAGER],
    ])('passes a %s when %s is needed, without querying', async (held, needed) => {
      const principal = member([[POINT_A, held]]);

      await expect(tenancy.assertAccess(principal, POINT_A, needed)).resolves.toBeUndefined();
      expect(queries).toEqual([]);
    });

    it('is 403 forbidden for an AGENT when MANAGER is needed', async () => {
      const principal = member([[POINT_A, MembershipRole.AGENT]]);

      const error = await rejection(
        tenancy.assertAccess(principal, POINT_A, MembershipRole.MANAGER),
      );

      expect(error.getStatus()).toBe(403);
      expect(error.code).toBe('forbidden');
      expect(error.message).toContain('MANAGER');
    });

    it('uses the role held in that point, not in another', async () => {
      const principal = member([
        [POINT_A, MembershipRole.MANAGER],
        [POINT_B, MembershipRole.AGENT],
      ]);

      await expect(
        tenancy.assertAccess(principal, POINT_A, MembershipRole.MANAGER),
      ).resolves.toBeUndefined();
      expect(
        (await rejection(tenancy.assertAccess(principal, POINT_B, MembershipRole.MANAGER))).code,
      ).toBe('forbidden');
    });

    it.each([undefined, 'Shipment', 'FAQ'])(
      'answers a non-member exactly like a missing resource (label %p)',
      async (label) => {
        const principal = member([[POINT_A, MembershipRole.MANAGER]]);
        const asAdmin = await rejection(
          tenancy.assertAccess(admin(), MISSING, MembershipRole.AGENT, label),
        );

        // POINT_B exists, but the member does not belong to it.
        const asOutsider = await rejection(
          tenancy.assertAccess(principal, POINT_B, MembershipRole.AGENT, label),
        );

        expect(asOutsider.getStatus()).toBe(404);
        expect(asOutsider.code).toBe('not_found');
        expect(asOutsider.message).toBe(asAdmin.message);
        expect(asOutsider.getResponse()).toEqual(asAdmin.getResponse());
        expect(asOutsider.message).toBe(`${label ?? 'Service point'} not found`);
      },
    );

    it('checks membership before role, so an outsider never learns about roles', async () => {
      const principal = member([[POINT_A, MembershipRole.AGENT]]);

      const error = await rejection(
        tenancy.assertAccess(principal, POINT_C, MembershipRole.MANAGER),
      );

      expect(error.getStatus()).toBe(404);
    });
  });

  describe('visiblePointIds / pointFilter / canSee', () => {
    const agent = member([
      [POINT_A, MembershipRole.AGENT],
      [POINT_B, MembershipRole.MANAGER],
    ]);
    const loner = member([]);

    it('gives admins every point', () => {
      expect(tenancy.visiblePointIds(admin())).toBeUndefined();
      expect(tenancy.pointFilter(admin())).toEqual({});
      expect(tenancy.canSee(admin(), MISSING)).toBe(true);
    });

    it('limits members to their points, whatever the role', () => {
      expect(tenancy.visiblePointIds(agent)?.sort()).toEqual([POINT_A, POINT_B]);
      expect(tenancy.pointFilter(agent)).toEqual({
        servicePointId: { in: expect.arrayContaining([POINT_A, POINT_B]) },
      });
      expect(tenancy.pointFilter(agent).servicePointId?.in).toHaveLength(2);
    });

    it.each<[string, boolean]>([
      [POINT_A, true],
      [POINT_B, true],
      [POINT_C, false],
      [MISSING, false],
    ])('canSee(%s) for a member of A and B is %p', (pointId, expected) => {
      expect(tenancy.canSee(agent, pointId)).toBe(expected);
    });

    it('gives a member of no point an empty filter that matches nothing (not "all")', () => {
      expect(tenancy.visiblePointIds(loner)).toEqual([]);
      expect(tenancy.pointFilter(loner)).toEqual({ servicePointId: { in: [] } });
      expect(tenancy.canSee(loner, POINT_A)).toBe(false);
    });

    it('returns a fresh array the caller may change', () => {
      const ids = tenancy.visiblePointIds(agent)!;
      ids.push(POINT_C);

      expect(tenancy.visiblePointIds(agent)).toHaveLength(2);
    });
  });
});
