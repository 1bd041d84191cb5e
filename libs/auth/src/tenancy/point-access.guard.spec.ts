import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, MembershipRole, PrismaService, UserRole } from '@bandeja/core';
import type { Principal } from '../principal';
import { PointAccess } from './point-access.decorator';
import { PointAccessGuard } from './point-access.guard';
import { PointResolverRegistry } from './point-resolver.registry';
import { TenancyService } from './tenancy.service';

const POINT_A = '1a1a1a1a-1111-4111-8111-11111111111a';
const POINT_B = '2b2b2b2b-2222-4222-8222-22222222222b';
const MISSING_POINT = '99999999-9999-4999-8999-999999999999';
const CONV_IN_A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const CONV_IN_B = 'bbbbbbbb-0000-4000-8000-00000000000b';
const CONV_GLOBAL = 'cccccccc-0000-4000-8000-00000000000c';
const CONV_MISSING = 'dddddddd-0000-4000-8000-00000000000d';

/** Route handlers carrying the metadata the guard reads, as a controller would. */
class Routes {
  noRule() {}

  @PointAccess(MembershipRole.AGENT, { from: 'point', param: 'pointId' })
  readPoint() {}

  @PointAccess(MembershipRole.MANAGER, { from: 'point', param: 'pointId' })
  managePoint() {}

  @PointAccess(MembershipRole.AGENT, {
    from: 'resource',
    resource: 'conversation',
    param: 'id',
    label: 'Conversation',
  })
  readConversation() {}

  @PointAccess(MembershipRole.MANAGER, { from: 'body', field: 'servicePointId' })
  createShipment() {}

  @PointAccess(MembershipRole.MANAGER, { from: 'body', field: 'servicePointId', nullable: true })
  createFaq() {}
}

@PointAccess(MembershipRole.MANAGER, { from: 'point', param: 'pointId' })
class ManagedRoutes {
  inherited() {}

  @PointAccess(MembershipRole.AGENT, { from: 'point', param: 'pointId' })
  overridden() {}
}

type Handler = keyof Routes;

const admin = (): Principal => ({
  kind: 'user',
  id: 'admin-1',
  userId: 'admin-1',
  apiKeyId: null,
  role: UserRole.ADMIN,
  memberships: new Map(),
});

/** Manager in A, agent in B. */
const agent = (): Principal => ({
  kind: 'user',
  id: 'user-1',
  userId: 'user-1',
  apiKeyId: null,
  role: UserRole.AGENT,
  memberships: new Map([
    [POINT_A, MembershipRole.MANAGER],
    [POINT_B, MembershipRole.AGENT],
  ]),
});

/** Agent in A only: cannot see B. */
const outsider = (): Principal => ({
  ...agent(),
  id: 'user-2',
  userId: 'user-2',
  memberships: new Map([[POINT_A, MembershipRole.AGENT]]),
});

interface FakeRequest {
  method: string;
  params: Record<string, string | string[]>;
  body?: unknown;
  principal?: Principal;
  servicePointId?: string | null;
}

function setup() {
  const prisma = {
    servicePoint: {
      // Postgres compares uuid values, so the case of the text does not matter.
      findMany: async ({ where }: { where: { id: { in: string[] } } }) =>
        where.id.in
          .map((id) => id.toLowerCase())
          .filter((id) => [POINT_A, POINT_B].includes(id))
          .map((id) => ({ id })),
    },
  } as unknown as PrismaService;
  const resolved: string[] = [];
  const owners: Record<string, string | null> = {
    [CONV_IN_A]: POINT_A,
    [CONV_IN_B]: POINT_B,
    [CONV_GLOBAL]: null,
  };
  const registry = new PointResolverRegistry();
  registry.register('conversation', async (id) => {
    resolved.push(id);
    return owners[id];
  });
  const guard = new PointAccessGuard(new Reflector(), new TenancyService(prisma), registry);
  return { guard, resolved };
}

function contextFor(
  req: FakeRequest,
  handler: () => void,
  cls: abstract new () => unknown = Routes,
): ExecutionContext {
  return {
    getHandler: () => handler,
    getClass: () => cls,
    switchToHttp: () => ({ getRequest: <T>() => req as unknown as T }),
  } as unknown as ExecutionContext;
}

function request(partial: Partial<FakeRequest>): FakeRequest {
  return { method: 'GET', params: {}, principal: agent(), ...partial };
}

describe('PointAccessGuard', () => {
  let guard: PointAccessGuard;
  let resolved: string[];

  beforeEach(() => {
    ({ guard, resolved } = setup());
  });

  const run = (handler: Handler, req: FakeRequest) =>
    guard.canActivate(contextFor(req, Routes.prototype[handler]));

  async function rejection(promise: Promise<unknown>): Promise<AppError> {
    const outcome = await promise.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(AppError);
    return outcome as AppError;
  }

  it('lets routes without a rule through untouched, even without a principal', async () => {
    const req = request({ principal: undefined, params: { pointId: 'not-a-uuid' } });

    await expect(run('noRule', req)).resolves.toBe(true);
    expect(req).not.toHaveProperty('servicePointId');
  });

  it('is 401 when a rule applies but nobody is signed in', async () => {
    const error = await rejection(run('readPoint', request({ principal: undefined })));

    expect(error.getStatus()).toBe(401);
    expect(error.code).toBe('unauthorized');
  });

  describe("source 'point'", () => {
    it.each<[string, string | string[] | undefined]>([
      ['missing', undefined],
      ['empty', ''],
      ['not a UUID', 'abc'],
      ['a UUID with junk', `${POINT_A}x`],
      ['a list starting with a non-UUID', ['abc', POINT_A]],
    ])('is 400 validation_failed naming the param when it is %s', async (_label, value) => {
      const params: Record<string, string | string[]> =
        value === undefined ? {} : { pointId: value };

      const error = await rejection(run('readPoint', request({ params })));

      expect(error.getStatus()).toBe(400);
      expect(error.code).toBe('validation_failed');
      expect(error.details).toEqual([{ field: 'pointId', message: 'pointId must be a UUID' }]);
    });

    it.each<[string, () => Principal, Handler, string]>([
      ['a member with the role', agent, 'readPoint', POINT_B],
      ['a manager on a manager route', agent, 'managePoint', POINT_A],
      ['an admin', admin, 'managePoint', POINT_B],
      ['an admin with an upper-case UUID', admin, 'readPoint', POINT_A.toUpperCase()],
    ])('passes %s and records the point', async (_label, principal, handler, pointId) => {
      const req = request({ principal: principal(), params: { pointId } });

      await expect(run(handler, req)).resolves.toBe(true);
      // Ids are compared and recorded in lower case, the form memberships are keyed by.
      expect(req.servicePointId).toBe(pointId.toLowerCase());
    });

    // Regression: an upper-case id used to miss the member's own (lower-case) membership.
    it('passes a member who writes their point id in upper case', async () => {
      const req = request({ params: { pointId: POINT_A.toUpperCase() } });

      await expect(run('readPoint', req)).resolves.toBe(true);
    });

    it('takes the first value of a repeated param', async () => {
      const req = request({ params: { pointId: [POINT_A, 'junk'] } });

      await expect(run('readPoint', req)).resolves.toBe(true);
      expect(req.servicePointId).toBe(POINT_A);
    });

    it('is 403 for a member whose role is too low', async () => {
      const req = request({ params: { pointId: POINT_B } });

      const error = await rejection(run('managePoint', req));

      expect(error.getStatus()).toBe(403);
      expect(error.code).toBe('forbidden');
      expect(req).not.toHaveProperty('servicePointId');
    });

    it('is the same 404 for a point the caller is not in as for one that does not exist', async () => {
      const notMine = await rejection(
        run('readPoint', request({ principal: outsider(), params: { pointId: POINT_B } })),
      );
      const missing = await rejection(
        run('readPoint', request({ principal: admin(), params: { pointId: MISSING_POINT } })),
      );

      expect(notMine.getStatus()).toBe(404);
      expect(notMine.code).toBe('not_found');
      expect(notMine.message).toBe('Service point not found');
      expect(notMine.getResponse()).toEqual(missing.getResponse());
    });
  });

  describe("source 'resource'", () => {
    it('resolves the point and records it', async () => {
      const req = request({ params: { id: CONV_IN_A } });

      await expect(run('readConversation', req)).resolves.toBe(true);
      expect(resolved).toEqual([CONV_IN_A]);
      expect(req.servicePointId).toBe(POINT_A);
    });

    it('is 400 naming the param before asking the resolver', async () => {
      const error = await rejection(run('readConversation', request({ params: { id: '42' } })));

      expect(error.code).toBe('validation_failed');
      expect(error.details).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
      expect(resolved).toEqual([]);
    });

    it('is 404 with the label when the resolver knows no such resource', async () => {
      const error = await rejection(
        run('readConversation', request({ params: { id: CONV_MISSING } })),
      );

      expect(error.getStatus()).toBe(404);
      expect(error.code).toBe('not_found');
      expect(error.message).toBe('Conversation not found');
    });

    it('answers a resource in another point exactly like a missing one', async () => {
      const req = request({ principal: outsider(), params: { id: CONV_IN_B } });
      const foreign = await rejection(run('readConversation', req));
      const missing = await rejection(
        run('readConversation', request({ params: { id: CONV_MISSING } })),
      );

      expect(foreign.getStatus()).toBe(404);
      expect(foreign.message).toBe('Conversation not found');
      expect(foreign.getResponse()).toEqual(missing.getResponse());
      expect(req).not.toHaveProperty('servicePointId');
    });

    it('lets anyone signed in read a global resource', async () => {
      const req = request({ principal: outsider(), params: { id: CONV_GLOBAL } });

      await expect(run('readConversation', req)).resolves.toBe(true);
      expect(req.servicePointId).toBeNull();
    });

    it('lets only admins change a global resource', async () => {
      const error = await rejection(
        run('readConversation', request({ method: 'DELETE', params: { id: CONV_GLOBAL } })),
      );
      expect(error.getStatus()).toBe(403);

      const req = request({ method: 'DELETE', principal: admin(), params: { id: CONV_GLOBAL } });
      await expect(run('readConversation', req)).resolves.toBe(true);
      expect(req.servicePointId).toBeNull();
    });
  });

  describe("source 'body'", () => {
    it.each<[string, unknown]>([
      ['no body', undefined],
      ['the field missing', {}],
      ['the field null', { servicePointId: null }],
      ['a number', { servicePointId: 5 }],
      ['a non-UUID string', { servicePointId: 'point-a' }],
      ['an object', { servicePointId: { id: POINT_A } }],
    ])('leaves %s to the validation pipe', async (_label, body) => {
      const req = request({ method: 'POST', principal: outsider(), body });

      await expect(run('createShipment', req)).resolves.toBe(true);
      expect(req).not.toHaveProperty('servicePointId');
    });

    it('passes a member with the role and records the point', async () => {
      const req = request({ method: 'POST', body: { servicePointId: POINT_A } });

      await expect(run('createShipment', req)).resolves.toBe(true);
      expect(req.servicePointId).toBe(POINT_A);
    });

    it('is 403 for a member whose role is too low', async () => {
      const error = await rejection(
        run('createShipment', request({ method: 'POST', body: { servicePointId: POINT_B } })),
      );

      expect(error.code).toBe('forbidden');
    });

    it('is 404 for a point the caller is not in', async () => {
      const error = await rejection(
        run(
          'createShipment',
          request({ method: 'POST', principal: outsider(), body: { servicePointId: POINT_B } }),
        ),
      );

      expect(error.getStatus()).toBe(404);
      expect(error.message).toBe('Service point not found');
    });

    describe('nullable (global when absent)', () => {
      it.each<[string, unknown]>([
        ['null', { servicePointId: null }],
        ['absent', {}],
        ['no body at all', undefined],
      ])('lets a non-admin GET with the point %s', async (_label, body) => {
        const req = request({ method: 'GET', principal: outsider(), body });

        await expect(run('createFaq', req)).resolves.toBe(true);
        expect(req.servicePointId).toBeNull();
      });

      it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('is 403 for a non-admin %s', async (method) => {
        const req = request({ method, body: { servicePointId: null } });

        const error = await rejection(run('createFaq', req));

        expect(error.getStatus()).toBe(403);
        expect(error.code).toBe('forbidden');
        expect(error.message).toBe('Only admins may change global resources');
        expect(req).not.toHaveProperty('servicePointId');
      });

      it('lets an admin POST a global one', async () => {
        const req = request({ method: 'POST', principal: admin(), body: { servicePointId: null } });

        await expect(run('createFaq', req)).resolves.toBe(true);
        expect(req.servicePointId).toBeNull();
      });

      it('still checks membership when a point is given', async () => {
        const ok = request({ method: 'POST', body: { servicePointId: POINT_A } });
        await expect(run('createFaq', ok)).resolves.toBe(true);
        expect(ok.servicePointId).toBe(POINT_A);

        const error = await rejection(
          run(
            'createFaq',
            request({ method: 'POST', principal: outsider(), body: { servicePointId: POINT_B } }),
          ),
        );
        expect(error.getStatus()).toBe(404);
      });
    });
  });

  // Regression: Express answers HEAD with the GET route, so HEAD is a read like GET.
  it('treats HEAD like GET for global resources', async () => {
    const req = request({ method: 'HEAD', principal: outsider(), params: { id: CONV_GLOBAL } });

    await expect(run('readConversation', req)).resolves.toBe(true);
  });

  describe('class-level rules', () => {
    it('applies a rule declared on the controller class', async () => {
      const req = request({ params: { pointId: POINT_B } });

      const error = await rejection(
        guard.canActivate(contextFor(req, ManagedRoutes.prototype.inherited, ManagedRoutes)),
      );

      expect(error.code).toBe('forbidden');
    });

    it('lets a handler rule override the class rule', async () => {
      const req = request({ params: { pointId: POINT_B } });

      await expect(
        guard.canActivate(contextFor(req, ManagedRoutes.prototype.overridden, ManagedRoutes)),
      ).resolves.toBe(true);
      expect(req.servicePointId).toBe(POINT_B);
    });
  });
});

describe('PointResolverRegistry', () => {
  it('returns what was registered and refuses duplicates and unknown names', async () => {
    const registry = new PointResolverRegistry();
    const resolver = async () => POINT_A;
    registry.register('faq', resolver);

    expect(registry.get('faq')).toBe(resolver);
    expect(() => registry.register('faq', resolver)).toThrow('registered twice');
    expect(() => registry.get('shipment')).toThrow('no point resolver registered for "shipment"');
  });
});
