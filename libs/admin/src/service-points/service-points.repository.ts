import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@bandeja/core';

@Injectable()
export class ServicePointsRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(id: string) {
    return this.prisma.servicePoint.findUnique({ where: { id } });
  }

  list(args: { where: Prisma.ServicePointWhereInput; take: number; orderBy: object[] }) {
    return this.prisma.servicePoint.findMany(args);
  }

  create(data: Prisma.ServicePointCreateInput) {
    return this.prisma.servicePoint.create({ data });
  }

  update(id: string, data: Prisma.ServicePointUpdateInput) {
    return this.prisma.servicePoint.update({ where: { id }, data });
  }

  async delete(id: string): Promise<boolean> {
    const { count } = await this.prisma.servicePoint.deleteMany({ where: { id } });
    return count > 0;
  }
}
