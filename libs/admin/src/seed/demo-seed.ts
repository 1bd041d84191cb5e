import {
  ChannelProviderKind,
  MembershipRole,
  Prisma,
  ShipmentStatus,
  UserRole,
} from '@bandeja/core';
import type { PrismaClient } from '@bandeja/core';
import { DEFAULT_FOLLOWUPS, WorkingHours } from '../service-points/service-point.view';
import { normalizeTrackingNumber } from '../shipments/tracking-number';

/**
 * Demo data: two simulator branches, FAQs, shipments and three users to log in with. Safe to run
 * again: rows are upserted by fixed ids or natural keys, so a second run changes nothing but
 * restores the demo values. Demo users keep the password they have once they exist.
 */

/** Password of every demo user when the seed creates it. Change it after the first login. */
export const DEMO_PASSWORD = 'bandeja-demo';

export const DEMO_POINT_IDS = {
  centro: 'b4de7a00-0001-4000-8000-000000000001',
  norte: 'b4de7a00-0001-4000-8000-000000000002',
} as const;

export type DemoPointKey = keyof typeof DEMO_POINT_IDS;

export const DEMO_USERS = {
  admin: { email: 'admin@bandeja.local', name: 'Administración Demo', role: UserRole.ADMIN },
  centro: { email: 'agente.centro@bandeja.local', name: 'Ana Quispe', role: UserRole.AGENT },
  norte: { email: 'agente.norte@bandeja.local', name: 'Luis Mamani', role: UserRole.AGENT },
} as const;

/** Memberships of the demo agents: Ana answers at Centro, Luis runs Norte. */
export const DEMO_MEMBERSHIPS: {
  user: keyof typeof DEMO_USERS;
  point: DemoPointKey;
  role: MembershipRole;
}[] = [
  { user: 'centro', point: 'centro', role: MembershipRole.AGENT },
  { user: 'norte', point: 'norte', role: MembershipRole.MANAGER },
];

interface DemoPoint {
  name: string;
  phoneNumber: string;
  workingHours: WorkingHours;
}

const POINTS: Record<DemoPointKey, DemoPoint> = {
  centro: {
    name: 'Sucursal Centro',
    phoneNumber: '+59170000101',
    workingHours: { days: [1, 2, 3, 4, 5, 6], start: '08:30', end: '19:00' },
  },
  norte: {
    name: 'Sucursal Norte',
    phoneNumber: '+59170000202',
    workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
  },
};

export interface DemoFaq {
  id: string;
  point: DemoPointKey | null;
  question: string;
  answer: string;
  keywords: string[];
}

/** FAQs have no natural key, so each has a fixed id. `point: null` = global. */
export const DEMO_FAQS: DemoFaq[] = [
  {
    id: 'b4de7a00-0002-4000-8000-000000000001',
    point: null,
    question: '¿Cómo rastreo mi envío?',
    answer:
      'Envíanos tu número de guía (por ejemplo LP-2024-000187) y te diremos dónde está tu paquete y cuándo llega.',
    keywords: ['rastrear', 'rastreo', 'guía', 'seguimiento', 'envío', 'paquete'],
  },
  {
    id: 'b4de7a00-0002-4000-8000-000000000002',
    point: null,
    question: '¿Qué formas de pago aceptan?',
    answer: 'Aceptamos efectivo, tarjetas de débito y crédito, y pagos por QR de cualquier banco.',
    keywords: ['pago', 'pagar', 'qr', 'tarjeta', 'efectivo'],
  },
  {
    id: 'b4de7a00-0002-4000-8000-000000000011',
    point: 'centro',
    question: '¿Cuál es el horario de la Sucursal Centro?',
    answer: 'Atendemos de lunes a sábado de 8:30 a 19:00, sin cerrar a mediodía.',
    keywords: ['horario', 'hora', 'abren', 'cierran', 'atención'],
  },
  {
    id: 'b4de7a00-0002-4000-8000-000000000012',
    point: 'centro',
    question: '¿Dónde queda la Sucursal Centro?',
    answer: 'Estamos en la calle Comercio 1234, a media cuadra de la Plaza Murillo, La Paz.',
    keywords: ['dirección', 'ubicación', 'dónde', 'queda', 'mapa'],
  },
  {
    id: 'b4de7a00-0002-4000-8000-000000000013',
    point: 'centro',
    question: '¿Puedo recoger mi paquete en la sucursal?',
    answer:
      'Sí. Trae tu carnet de identidad y el número de guía; guardamos los paquetes hasta 15 días.',
    keywords: ['recoger', 'retirar', 'recojo', 'carnet'],
  },
  {
    id: 'b4de7a00-0002-4000-8000-000000000014',
    point: 'centro',
    question: '¿Hacen envíos al interior del país?',
    answer:
      'Enviamos a las nueve capitales de departamento y a El Alto; el tiempo habitual es de 1 a 3 días.',
    keywords: ['interior', 'departamento', 'ciudad', 'envían', 'destino'],
  },
  {
    id: 'b4de7a00-0002-4000-8000-000000000021',
    point: 'norte',
    question: '¿Cuál es el horario de la Sucursal Norte?',
    answer:
      'Atendemos de lunes a viernes de 9:00 a 18:00. Los sábados y domingos permanecemos cerrados.',
    keywords: ['horario', 'hora', 'abren', 'cierran', 'sábado'],
  },
  {
    id: 'b4de7a00-0002-4000-8000-000000000022',
    point: 'norte',
    question: '¿Dónde queda la Sucursal Norte?',
    answer:
      'Estamos en la avenida Banzer, cuarto anillo, frente al surtidor, Santa Cruz de la Sierra.',
    keywords: ['dirección', 'ubicación', 'dónde', 'queda'],
  },
  {
    id: 'b4de7a00-0002-4000-8000-000000000023',
    point: 'norte',
    question: '¿Hacen entregas a domicilio?',
    answer:
      'Sí, entregamos a domicilio dentro del cuarto anillo el mismo día si el paquete llega antes de las 12:00.',
    keywords: ['domicilio', 'entrega', 'delivery', 'casa'],
  },
];

export interface DemoShipment {
  point: DemoPointKey;
  trackingNumber: string;
  status: ShipmentStatus;
  origin: string;
  destination: string;
  /** Days from today (UTC); null = no estimate. */
  etaDays: number | null;
  /** Hours before today 00:00 UTC at which the status last changed. */
  updatedHoursAgo: number;
}

export const DEMO_SHIPMENTS: DemoShipment[] = [
  {
    point: 'centro',
    trackingNumber: 'LP-2024-000187',
    status: ShipmentStatus.IN_TRANSIT,
    origin: 'La Paz',
    destination: 'Santa Cruz',
    etaDays: 2,
    updatedHoursAgo: 6,
  },
  {
    point: 'centro',
    trackingNumber: 'LP-2024-000188',
    status: ShipmentStatus.OUT_FOR_DELIVERY,
    origin: 'Cochabamba',
    destination: 'La Paz',
    etaDays: 0,
    updatedHoursAgo: 2,
  },
  {
    point: 'centro',
    trackingNumber: 'ABC123456',
    status: ShipmentStatus.DELIVERED,
    origin: 'Oruro',
    destination: 'La Paz',
    etaDays: -3,
    updatedHoursAgo: 70,
  },
  {
    point: 'centro',
    trackingNumber: '730122458890',
    status: ShipmentStatus.CREATED,
    origin: 'La Paz',
    destination: 'Sucre',
    etaDays: 5,
    updatedHoursAgo: 1,
  },
  {
    point: 'centro',
    trackingNumber: 'EB 4821 7733 BO',
    status: ShipmentStatus.RETURNED,
    origin: 'La Paz',
    destination: 'Potosí',
    etaDays: null,
    updatedHoursAgo: 120,
  },
  {
    point: 'centro',
    trackingNumber: 'LP-2024-000201',
    status: ShipmentStatus.EXCEPTION,
    origin: 'La Paz',
    destination: 'Tarija',
    etaDays: 1,
    updatedHoursAgo: 20,
  },
  {
    point: 'centro',
    trackingNumber: '40012345678901234567',
    status: ShipmentStatus.IN_TRANSIT,
    origin: 'El Alto',
    destination: 'Cochabamba',
    etaDays: 1,
    updatedHoursAgo: 10,
  },
  {
    point: 'norte',
    trackingNumber: 'SCZ-2024-004512',
    status: ShipmentStatus.CREATED,
    origin: 'Santa Cruz',
    destination: 'Trinidad',
    etaDays: 4,
    updatedHoursAgo: 3,
  },
  {
    point: 'norte',
    trackingNumber: 'XYZ987654',
    status: ShipmentStatus.IN_TRANSIT,
    origin: 'La Paz',
    destination: 'Santa Cruz',
    etaDays: 1,
    updatedHoursAgo: 14,
  },
  {
    point: 'norte',
    trackingNumber: '9400 1112 0255 5842 7612',
    status: ShipmentStatus.OUT_FOR_DELIVERY,
    origin: 'Cochabamba',
    destination: 'Santa Cruz',
    etaDays: 0,
    updatedHoursAgo: 1,
  },
  {
    point: 'norte',
    trackingNumber: 'LP-2024-000190',
    status: ShipmentStatus.DELIVERED,
    origin: 'La Paz',
    destination: 'Montero',
    etaDays: -2,
    updatedHoursAgo: 40,
  },
  {
    point: 'norte',
    trackingNumber: 'TJA-2024-000033',
    status: ShipmentStatus.EXCEPTION,
    origin: 'Tarija',
    destination: 'Santa Cruz',
    etaDays: 2,
    updatedHoursAgo: 30,
  },
  {
    point: 'norte',
    trackingNumber: 'CB-77410-BO',
    status: ShipmentStatus.RETURNED,
    origin: 'Santa Cruz',
    destination: 'Cobija',
    etaDays: null,
    updatedHoursAgo: 96,
  },
  {
    point: 'norte',
    trackingNumber: 'ABC123457',
    status: ShipmentStatus.IN_TRANSIT,
    origin: 'Sucre',
    destination: 'Santa Cruz',
    etaDays: 3,
    updatedHoursAgo: 8,
  },
];

export interface SeedDemoOptions {
  /** IANA time zone of the demo points (the app's DEFAULT_TIMEZONE, normally America/La_Paz). */
  defaultTimezone: string;
  /** Hashes the demo password for users the seed creates. */
  hashPassword: (password: string) => Promise<string>;
}

export interface SeedSummary {
  servicePoints: number;
  faqs: number;
  shipments: number;
  users: number;
  /** Demo users that did not exist before this run (the others kept their password). */
  usersCreated: number;
  memberships: number;
}

const HOUR_MS = 3600 * 1000;

/** Loads the demo in one transaction. Running it again leaves the same rows. */
export async function seedDemo(
  prisma: PrismaClient,
  options: SeedDemoOptions,
): Promise<SeedSummary> {
  // Hashing is slow on purpose: do it before the transaction opens.
  const users = Object.values(DEMO_USERS);
  const hashes = await Promise.all(users.map(() => options.hashPassword(DEMO_PASSWORD)));

  // Dates relative to today 00:00 UTC: lively demo data, identical for runs on the same day.
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  const at = (hours: number) => new Date(today.getTime() + hours * HOUR_MS);

  return prisma.$transaction(
    async (tx) => {
      for (const [key, point] of Object.entries(POINTS) as [DemoPointKey, DemoPoint][]) {
        const values = {
          name: point.name,
          provider: ChannelProviderKind.SIMULATOR,
          phoneNumber: point.phoneNumber,
          // The worker starts simulator sessions that should run; it owns whatsappStatus.
          whatsappAutoStart: true,
          timezone: options.defaultTimezone,
          workingHours: { ...point.workingHours } as unknown as Prisma.InputJsonValue,
          botEnabled: true,
        };
        await tx.servicePoint.upsert({
          where: { id: DEMO_POINT_IDS[key] },
          // Follow-up settings and their secret are left as a person configured them.
          create: {
            id: DEMO_POINT_IDS[key],
            ...values,
            followups: { ...DEFAULT_FOLLOWUPS } as unknown as Prisma.InputJsonValue,
          },
          update: values,
        });
      }

      for (const faq of DEMO_FAQS) {
        const values = {
          servicePointId: faq.point ? DEMO_POINT_IDS[faq.point] : null,
          question: faq.question,
          answer: faq.answer,
          keywords: [...new Set(faq.keywords.map((k) => k.toLowerCase()))],
        };
        await tx.faq.upsert({
          where: { id: faq.id },
          create: { id: faq.id, ...values },
          update: values,
        });
      }

      for (const shipment of DEMO_SHIPMENTS) {
        const servicePointId = DEMO_POINT_IDS[shipment.point];
        const trackingNumberNormalized = normalizeTrackingNumber(shipment.trackingNumber);
        const values = {
          trackingNumber: shipment.trackingNumber,
          status: shipment.status,
          origin: shipment.origin,
          destination: shipment.destination,
          // 18:00 UTC = 14:00 in La Paz.
          eta: shipment.etaDays === null ? null : at(shipment.etaDays * 24 + 18),
          lastUpdate: at(-shipment.updatedHoursAgo),
        };
        await tx.shipment.upsert({
          where: {
            servicePointId_trackingNumberNormalized: { servicePointId, trackingNumberNormalized },
          },
          create: { servicePointId, trackingNumberNormalized, ...values },
          update: values,
        });
      }

      const existing = await tx.user.count({ where: { email: { in: users.map((u) => u.email) } } });
      const userIds: Partial<Record<keyof typeof DEMO_USERS, string>> = {};
      for (const [index, [key, user]] of Object.entries(DEMO_USERS).entries()) {
        const row = await tx.user.upsert({
          where: { email: user.email },
          create: {
            email: user.email,
            name: user.name,
            role: user.role,
            passwordHash: hashes[index],
          },
          // A demo user who exists already keeps their password, name and role.
          update: {},
          select: { id: true },
        });
        userIds[key as keyof typeof DEMO_USERS] = row.id;
      }

      for (const membership of DEMO_MEMBERSHIPS) {
        const userId = userIds[membership.user] as string;
        const servicePointId = DEMO_POINT_IDS[membership.point];
        await tx.membership.upsert({
          where: { userId_servicePointId: { userId, servicePointId } },
          create: { userId, servicePointId, role: membership.role },
          update: { role: membership.role },
        });
      }

      return {
        servicePoints: Object.keys(POINTS).length,
        faqs: DEMO_FAQS.length,
        shipments: DEMO_SHIPMENTS.length,
        users: users.length,
        usersCreated: users.length - existing,
        memberships: DEMO_MEMBERSHIPS.length,
      };
    },
    { timeout: 30_000 },
  );
}
