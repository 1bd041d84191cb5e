import { Injectable } from '@nestjs/common';
import {
  AppError,
  AuditActor,
  AuditService,
  isUniqueViolation,
  Page,
  PageQuery,
  paginateByCreatedAt,
  UserRole,
} from '@bandeja/core';
import { PasswordHasher } from '../password-hasher';
import type { Principal } from '../principal';
import { CreateUserDto, UpdateUserDto } from './users.dto';
import { PublicUser, UsersRepository } from './users.repository';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateUserDto, actor: AuditActor): Promise<PublicUser> {
    const passwordHash = await this.hasher.hash(dto.password);
    try {
      const user = await this.users.create({
        email: dto.email,
        name: dto.name,
        role: dto.role,
        passwordHash,
      });
      await this.audit.record(actor, {
        action: 'user.created',
        entityType: 'user',
        entityId: user.id,
        data: { email: user.email, role: user.role },
      });
      return user;
    } catch (err) {
      if (isUniqueViolation(err))
        throw AppError.conflict('email_taken', 'A user with this e-mail already exists');
      throw err;
    }
  }

  list(query: PageQuery): Promise<Page<PublicUser>> {
    return paginateByCreatedAt(query, (args) => this.users.list(args), 'asc');
  }

  async get(id: string): Promise<PublicUser> {
    const user = await this.users.findPublic(id);
    if (!user) throw AppError.notFound('User');
    return user;
  }

  async update(
    id: string,
    dto: UpdateUserDto,
    caller: Principal,
    actor: AuditActor,
  ): Promise<PublicUser> {
    await this.get(id);
    const passwordHash = dto.password ? await this.hasher.hash(dto.password) : undefined;
    try {
      return await this.users.transaction(async (tx) => {
        const user = await this.users.update(
          id,
          {
            ...(dto.email !== undefined ? { email: dto.email.toLowerCase() } : {}),
            ...(dto.name !== undefined ? { name: dto.name } : {}),
            ...(dto.role !== undefined ? { role: dto.role } : {}),
            ...(passwordHash ? { passwordHash } : {}),
          },
          tx,
        );
        if (
          dto.role === UserRole.AGENT &&
          (await this.users.count({ role: UserRole.ADMIN }, tx)) === 0
        ) {
          throw AppError.conflict('last_admin', 'The last admin cannot lose the ADMIN role');
        }
        await this.audit.record(
          actor,
          {
            action: 'user.updated',
            entityType: 'user',
            entityId: id,
            data: {
              fields: Object.keys(dto).filter((k) => k !== 'password'),
              passwordChanged: Boolean(passwordHash),
              by: caller.id,
            },
          },
          tx,
        );
        return user;
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw AppError.conflict('email_taken', 'A user with this e-mail already exists');
      throw err;
    }
  }

  async remove(id: string, caller: Principal, actor: AuditActor): Promise<void> {
    if (caller.userId === id)
      throw AppError.conflict('cannot_delete_self', 'You cannot delete your own user');
    await this.get(id);
    await this.users.transaction(async (tx) => {
      await this.users.delete(id, tx);
      if ((await this.users.count({ role: UserRole.ADMIN }, tx)) === 0) {
        throw AppError.conflict('last_admin', 'The last admin cannot be deleted');
      }
      await this.audit.record(
        actor,
        { action: 'user.deleted', entityType: 'user', entityId: id },
        tx,
      );
    });
  }
}
