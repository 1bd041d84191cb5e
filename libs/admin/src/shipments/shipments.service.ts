import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  AppError,
  isRecordNotFound,
  isUniqueViolation,
  MembershipRole,
  Page,
  paginateByCreatedAt,
  Prisma,
  PrismaService,
  Shipment,
} from '@bandeja/core';
import { PointResolverRegistry, Principal, TenancyService } from '@bandeja/auth';
import { CreateShipmentDto, ListShipmentsQuery, UpdateShipmentDto } from './shipment.dto';
import { normalizeTrackingNumber } from './tracking-number';

export function toShipmentView(row: Shipment) {
  return {
    id: row.id,
    servicePointId: row.servicePointId,
    trackingNumber: row.trackingNumber,
    status: row.status,
    origin: row.origin,
    destination: row.destination,
    eta: row.eta,
    lastUpdate: row.lastUpdate,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type ShipmentView = ReturnType<typeof toShipmentView>;

const taken = () =>
  AppError.conflict(
    'tracking_number_taken',
    'This service point already has a shipment with that tracking number',
  );

@Injectable()
export class ShipmentsService implements OnModuleInit {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tenancy: TenancyService,
    private readonly resolvers: PointResolverRegistry,
  ) {}

  onModuleInit(): void {
    this.resolvers.register('shipment', async (id) => {
      const row = await this.prisma.shipment.findUnique({
        where: { id },
        select: { servicePointId: true },
      });
      return row?.servicePointId;
    });
  }

  async create(dto: CreateShipmentDto): Promise<ShipmentView> {
    try {
      const row = await this.prisma.shipment.create({
        data: {
          servicePointId: dto.servicePointId,
          trackingNumber: dto.trackingNumber,
          trackingNumberNormalized: normalizeTrackingNumber(dto.trackingNumber),
          status: dto.status,
          origin: dto.origin ?? null,
          destination: dto.destination ?? null,
          eta: dto.eta ? new Date(dto.eta) : null,
          lastUpdate: dto.lastUpdate ? new Date(dto.lastUpdate) : undefined,
        },
      });
      return toShipmentView(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw taken();
      throw err;
    }
  }

  async list(principal: Principal, query: ListShipmentsQuery): Promise<Page<ShipmentView>> {
    if (query.servicePointId)
      await this.tenancy.assertAccess(principal, query.servicePointId, MembershipRole.AGENT);
    const filter: Prisma.ShipmentWhereInput = {
      ...(query.servicePointId
        ? { servicePointId: query.servicePointId }
        : this.tenancy.pointFilter(principal)),
      ...(query.trackingNumber
        ? { trackingNumberNormalized: normalizeTrackingNumber(query.trackingNumber) }
        : {}),
      ...(query.status ? { status: query.status } : {}),
    };
    const page = await paginateByCreatedAt(query, ({ where, ...rest }) =>
      this.prisma.shipment.findMany({ ...rest, where: { AND: [filter, where] } }),
    );
    return { items: page.items.map(toShipmentView), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<ShipmentView> {
    const row = await this.prisma.shipment.findUnique({ where: { id } });
    if (!row) throw AppError.notFound('Shipment');
    return toShipmentView(row);
  }

  async update(id: string, dto: UpdateShipmentDto): Promise<ShipmentView> {
    const data: Prisma.ShipmentUpdateInput = {};
    if (dto.trackingNumber !== undefined) {
      data.trackingNumber = dto.trackingNumber;
      data.trackingNumberNormalized = normalizeTrackingNumber(dto.trackingNumber);
    }
    if (dto.status !== undefined) {
      data.status = dto.status;
      data.lastUpdate = new Date();
    }
    if (dto.origin !== undefined) data.origin = dto.origin;
    if (dto.destination !== undefined) data.destination = dto.destination;
    if (dto.eta !== undefined) data.eta = dto.eta === null ? null : new Date(dto.eta);
    if (dto.lastUpdate !== undefined) data.lastUpdate = new Date(dto.lastUpdate);
    try {
      return toShipmentView(await this.prisma.shipment.update({ where: { id }, data }));
    } catch (err) {
      if (isUniqueViolation(err)) throw taken();
      if (isRecordNotFound(err)) throw AppError.notFound('Shipment');
      throw err;
    }
  }

  async remove(id: string): Promise<void> {
    const { count } = await this.prisma.shipment.deleteMany({ where: { id } });
    if (count === 0) throw AppError.notFound('Shipment');
  }
}
