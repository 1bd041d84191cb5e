import { Injectable } from '@nestjs/common';
import {
  AppError,
  AuditActor,
  AuditService,
  MembershipRole,
  PageQuery,
  paginateByCreatedAt,
  PrismaService,
} from '@bandeja/core';

const MEMBER_SELECT = {
  id: true,
  servicePointId: true,
  userId: true,
  role: true,
  createdAt: true,
  user: { select: { id: true, email: true, name: true, role: true } },
} as const;

/** Who belongs to a service point, and with which role. */
@Injectable()
export class MembersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  list(servicePointId: string, query: PageQuery) {
    return paginateByCreatedAt(
      query,
      ({ where, ...rest }) =>
        this.prisma.membership.findMany({
          ...rest,
          where: { ...where, servicePointId },
          select: MEMBER_SELECT,
        }),
      'asc',
    );
  }

  async put(servicePointId: string, userId: string, role: MembershipRole, actor: AuditActor) {
    const user = await this.prisma.user.count({ where: { id: userId } });
    if (!user) throw AppError.notFound('User');
    const member = await this.prisma.membership.upsert({
      where: { userId_servicePointId: { userId, servicePointId } },
      create: { userId, servicePointId, role },
      update: { role },
      select: MEMBER_SELECT,
    });
    await this.audit.record(actor, {
      action: 'member.put',
      entityType: 'membership',
      entityId: member.id,
      servicePointId,
      data: { userId, role },
    });
    return member;
  }

  async remove(servicePointId: string, userId: string, actor: AuditActor): Promise<void> {
    const { count } = await this.prisma.membership.deleteMany({
      where: { servicePointId, userId },
    });
    if (count === 0) throw AppError.notFound('Membership');
    await this.audit.record(actor, {
      action: 'member.removed',
      entityType: 'membership',
      servicePointId,
      data: { userId },
    });
  }
}
