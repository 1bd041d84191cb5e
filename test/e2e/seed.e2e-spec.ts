import {
  DEMO_FAQS,
  DEMO_PASSWORD,
  DEMO_POINT_IDS,
  DEMO_SHIPMENTS,
  DEMO_USERS,
  normalizeTrackingNumber,
  seedDemo,
} from '@bandeja/admin';
import { PasswordHasher } from '@bandeja/auth';
import { PrismaService } from '@bandeja/core';
import type { Response } from 'supertest';
import { auth, bootApi, login, TestApi } from '../support/api';

// The database is shared with other e2e files running at the same time: every assertion is
// limited to the demo's own ids and e-mails.
const POINT_IDS = Object.values(DEMO_POINT_IDS);
const FAQ_IDS = DEMO_FAQS.map((f) => f.id);
const EMAILS = Object.values(DEMO_USERS).map((u) => u.email);

describe('demo seed', () => {
  let api: TestApi;
  let prisma: PrismaService;
  let hasher: PasswordHasher;
  const seed = () =>
    seedDemo(prisma, {
      defaultTimezone: 'America/La_Paz',
      hashPassword: (p) => hasher.hash(p),
    });

  /** Every demo row, without the timestamps a re-run may touch. */
  async function snapshot() {
    const [points, faqs, shipments, users, memberships] = await Promise.all([
      prisma.servicePoint.findMany({
        where: { id: { in: POINT_IDS } },
        orderBy: { id: 'asc' },
        omit: { createdAt: true, updatedAt: true },
      }),
      prisma.faq.findMany({
        where: { id: { in: FAQ_IDS } },
        orderBy: { id: 'asc' },
        omit: { createdAt: true, updatedAt: true },
      }),
      prisma.shipment.findMany({
        where: { servicePointId: { in: POINT_IDS } },
        orderBy: { id: 'asc' },
        omit: { createdAt: true, updatedAt: true },
      }),
      prisma.user.findMany({
        where: { email: { in: EMAILS } },
        orderBy: { email: 'asc' },
        omit: { createdAt: true, updatedAt: true },
      }),
      prisma.membership.findMany({
        where: { servicePointId: { in: POINT_IDS } },
        orderBy: { id: 'asc' },
        omit: { createdAt: true },
      }),
    ]);
    return { points, faqs, shipments, users, memberships };
  }

  async function shipmentId(point: keyof typeof DEMO_POINT_IDS, trackingNumber: string) {
    const row = await prisma.shipment.findUniqueOrThrow({
      where: {
        servicePointId_trackingNumberNormalized: {
          servicePointId: DEMO_POINT_IDS[point],
          trackingNumberNormalized: normalizeTrackingNumber(trackingNumber),
        },
      },
    });
    return row.id;
  }

  let first: Awaited<ReturnType<typeof snapshot>>;
  let centroToken: string;
  let norteToken: string;

  beforeAll(async () => {
    api = await bootApi();
    prisma = api.app.get(PrismaService);
    hasher = api.app.get(PasswordHasher);
  });
  afterAll(() => api.close());

  it('loads the demo', async () => {
    const summary = await seed();
    expect(summary).toEqual({
      servicePoints: 2,
      faqs: DEMO_FAQS.length,
      shipments: DEMO_SHIPMENTS.length,
      users: 3,
      usersCreated: 3,
      memberships: 2,
    });
    first = await snapshot();
    expect(first.points).toHaveLength(2);
    expect(first.points.map((p) => p.name).sort()).toEqual(['Sucursal Centro', 'Sucursal Norte']);
    for (const point of first.points) {
      expect(point).toMatchObject({
        provider: 'SIMULATOR',
        botEnabled: true,
        timezone: 'America/La_Paz',
      });
    }
    expect(first.faqs).toHaveLength(DEMO_FAQS.length);
    expect(first.faqs.filter((f) => f.servicePointId === null).length).toBeGreaterThanOrEqual(1);
    expect(first.shipments.length).toBeGreaterThanOrEqual(12);
    expect(new Set(first.shipments.map((s) => s.status))).toEqual(
      new Set(['CREATED', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'RETURNED', 'EXCEPTION']),
    );
    for (const pointId of POINT_IDS) {
      expect(first.shipments.some((s) => s.servicePointId === pointId)).toBe(true);
    }
    expect(first.users.map((u) => u.email).sort()).toEqual([...EMAILS].sort());
    expect(first.memberships).toHaveLength(2);
  });

  it('running it again changes nothing and keeps the passwords', async () => {
    const summary = await seed();
    expect(summary.usersCreated).toBe(0);
    const second = await snapshot();
    expect(second).toEqual(first);
  });

  it('lets each demo agent log in and see their membership', async () => {
    centroToken = await login(api, DEMO_USERS.centro.email, DEMO_PASSWORD);
    norteToken = await login(api, DEMO_USERS.norte.email, DEMO_PASSWORD);

    const res = await api
      .http()
      .post('/api/v1/auth/login')
      .send({ email: DEMO_USERS.admin.email, password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: DEMO_USERS.admin.email, role: 'ADMIN' });

    const centroMe = await api.http().get('/api/v1/auth/me').set(auth(centroToken));
    expect(centroMe.status).toBe(200);
    expect(centroMe.body).toMatchObject({ email: DEMO_USERS.centro.email, role: 'AGENT' });
    expect(centroMe.body.memberships).toEqual([
      { servicePointId: DEMO_POINT_IDS.centro, role: 'AGENT' },
    ]);

    const norteMe = await api.http().get('/api/v1/auth/me').set(auth(norteToken));
    expect(norteMe.status).toBe(200);
    expect(norteMe.body.memberships).toEqual([
      { servicePointId: DEMO_POINT_IDS.norte, role: 'MANAGER' },
    ]);
  });

  it('shows the Centro agent only Centro', async () => {
    const res = await api.http().get('/api/v1/service-points').set(auth(centroToken));
    expect(res.status).toBe(200);
    expect(res.body.items.map((p: { id: string }) => p.id)).toEqual([DEMO_POINT_IDS.centro]);
    expect(res.body.items[0]).toMatchObject({
      name: 'Sucursal Centro',
    });
  });

  it('finds a Centro shipment by a tracking number typed loosely', async () => {
    const id = await shipmentId('centro', 'LP-2024-000187');
    const res = await api
      .http()
      .get('/api/v1/shipments')
      .query({ trackingNumber: ' lp 2024--000-187 ' })
      .set(auth(centroToken));
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      id,
      servicePointId: DEMO_POINT_IDS.centro,
      trackingNumber: 'LP-2024-000187',
      status: 'IN_TRANSIT',
    });

    // A Norte number is not found from Centro.
    const other = await api
      .http()
      .get('/api/v1/shipments')
      .query({ trackingNumber: 'xyz-987-654' })
      .set(auth(centroToken));
    expect(other.status).toBe(200);
    expect(other.body.items).toEqual([]);
  });

  it('answers 404 when the Centro agent asks for a Norte shipment', async () => {
    const id = await shipmentId('norte', 'XYZ987654');
    const denied = await api.http().get(`/api/v1/shipments/${id}`).set(auth(centroToken));
    expect(denied.status).toBe(404);
    const allowed = await api.http().get(`/api/v1/shipments/${id}`).set(auth(norteToken));
    expect(allowed.status).toBe(200);
    expect(allowed.body.trackingNumber).toBe('XYZ987654');
  });

  it("lists Centro's FAQs plus the global ones, none of Norte's", async () => {
    const seen: { id: string; servicePointId: string | null }[] = [];
    let cursor: string | null = null;
    do {
      const res: Response = await api
        .http()
        .get('/api/v1/faqs')
        .query({ servicePointId: DEMO_POINT_IDS.centro, limit: 200, ...(cursor ? { cursor } : {}) })
        .set(auth(centroToken));
      expect(res.status).toBe(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);

    const ids = new Set(seen.map((f) => f.id));
    const expected = DEMO_FAQS.filter((f) => f.point === 'centro' || f.point === null).map(
      (f) => f.id,
    );
    const norte = DEMO_FAQS.filter((f) => f.point === 'norte').map((f) => f.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(norte.length).toBeGreaterThan(0);
    for (const id of expected) expect(ids).toContain(id);
    for (const id of norte) expect(ids).not.toContain(id);
    for (const faq of seen) expect([DEMO_POINT_IDS.centro, null]).toContain(faq.servicePointId);
  });

  it('leaves a password a person changed alone', async () => {
    await prisma.user.update({
      where: { email: DEMO_USERS.admin.email },
      data: { passwordHash: await hasher.hash('changed-by-a-person-1') },
    });
    await seed();
    await expect(login(api, DEMO_USERS.admin.email, 'changed-by-a-person-1')).resolves.toEqual(
      expect.any(String),
    );
  });
});
