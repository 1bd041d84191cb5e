import { Injectable } from '@nestjs/common';
import { Coalescer, MembershipRole, Prisma, PrismaService, UserRole } from '@bandeja/core';

export const USER_PUBLIC_SELECT = {
  id: true,
  email: true,
  name: true,
  role: true,
  createdAt: true,
  updatedAt: true,
} as const;

export type PublicUser = Prisma.UserGetPayload<{ select: typeof USER_PUBLIC_SELECT }>;

/** Role and memberships of a user: what every authenticated request needs. */
export interface UserAccess {
  id: string;
  role: UserRole;
  memberships: { servicePointId: string; role: MembershipRole }[];
}

/** Data access for users and their memberships (the identity tables). */
@Injectable()
export class UsersRepository {
  /**
   * Requests arriving together (typically one integration's many calls) share one lookup. A
   * batch only starts after its callers arrived, so each still sees the rows as they are now.
   */
  private readonly access = new Coalescer<string, UserAccess | null>(
    (ids) => this.accessOfMany(ids),
    { maxBatch: 200, maxInFlight: 4 },
  );

  constructor(private readonly prisma: PrismaService) {}

  findByEmail(email: string) {
    return this.prisma.user.findUnique({ where: { email: email.toLowerCase() } });
  }

  findPublic(id: string): Promise<PublicUser | null> {
    return this.prisma.user.findUnique({ where: { id }, select: USER_PUBLIC_SELECT });
  }

  /**
   * What every authenticated request needs (role and memberships), in one round trip: this runs
   * on each call, so a deleted user or a changed membership takes effect at once.
   */
  accessOf(id: string): Promise<UserAccess | null> {
    return this.access.submit(id);
  }

  private async accessOfMany(ids: string[]): Promise<(UserAccess | null)[]> {
    const rows = await this.prisma.$queryRaw<UserAccess[]>`
      SELECT u."id", u."role"::text AS "role",
             COALESCE(json_agg(json_build_object('servicePointId', m."servicePointId", 'role', m."role"))
                      FILTER (WHERE m."id" IS NOT NULL), '[]') AS "memberships"
      FROM "User" u LEFT JOIN "Membership" m ON m."userId" = u."id"
      WHERE u."id" = ANY(${[...new Set(ids)]}::uuid[])
      GROUP BY u."id"`;
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  findWithMemberships(id: string) {
    return this.prisma.user.findUnique({
      where: { id },
      select: {
        ...USER_PUBLIC_SELECT,
        memberships: { select: { servicePointId: true, role: true } },
      },
    });
  }

  list(args: { where: object; take: number; orderBy: object[] }): Promise<PublicUser[]> {
    return this.prisma.user.findMany({ ...args, select: USER_PUBLIC_SELECT });
  }

  create(data: {
    email: string;
    name: string;
    passwordHash: string;
    role: UserRole;
  }): Promise<PublicUser> {
    return this.prisma.user.create({
      data: { ...data, email: data.email.toLowerCase() },
      select: USER_PUBLIC_SELECT,
    });
  }

  update(
    id: string,
    data: Prisma.UserUpdateInput,
    tx?: Prisma.TransactionClient,
  ): Promise<PublicUser> {
    return (tx ?? this.prisma).user.update({ where: { id }, data, select: USER_PUBLIC_SELECT });
  }

  delete(id: string, tx?: Prisma.TransactionClient) {
    return (tx ?? this.prisma).user.delete({ where: { id } });
  }

  count(where: Prisma.UserWhereInput = {}, tx?: Prisma.TransactionClient): Promise<number> {
    return (tx ?? this.prisma).user.count({ where });
  }

  transaction<T>(fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn, { isolationLevel: 'Serializable' });
  }

  memberships(userId: string): Promise<{ servicePointId: string; role: MembershipRole }[]> {
    return this.prisma.membership.findMany({
      where: { userId },
      select: { servicePointId: true, role: true },
    });
  }
}
