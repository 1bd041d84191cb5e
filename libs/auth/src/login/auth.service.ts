import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig, AppError } from '@bandeja/core';
import { PasswordHasher } from '../password-hasher';
import type { Principal } from '../principal';
import { UsersRepository } from '../users/users.repository';
import { LoginRateLimiter } from './login-rate-limiter';

export interface JwtPayload {
  sub: string;
  role: string;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly limiter: LoginRateLimiter,
    private readonly config: AppConfig,
  ) {}

  async login(emailInput: string, password: string, ip: string) {
    const email = emailInput.trim().toLowerCase();
    await this.limiter.assertAllowed(email, ip);
    const user = await this.users.findByEmail(email);
    const ok = await this.hasher.verify(user?.passwordHash, password);
    if (!user || !ok) {
      await this.limiter.recordFailure(email, ip);
      throw AppError.unauthorized('E-mail or password is wrong', 'invalid_credentials');
    }
    await this.limiter.recordSuccess(email, ip);
    const payload: JwtPayload = { sub: user.id, role: user.role };
    const accessToken = await this.jwt.signAsync(payload);
    return {
      accessToken,
      tokenType: 'Bearer' as const,
      expiresIn: this.config.JWT_EXPIRES_IN_SECONDS,
      user: { id: user.id, email: user.email, name: user.name, role: user.role },
    };
  }

  /** Loads the caller behind a verified token; a deleted user's token stops working at once. */
  async principalForUser(userId: string): Promise<Principal | null> {
    const user = await this.users.accessOf(userId);
    if (!user) return null;
    return {
      kind: 'user',
      id: user.id,
      userId: user.id,
      apiKeyId: null,
      role: user.role,
      memberships: new Map(user.memberships.map((m) => [m.servicePointId, m.role])),
    };
  }

  async me(principal: Principal) {
    if (principal.kind === 'apiKey') {
      return {
        id: principal.id,
        email: null,
        name: 'API key',
        role: principal.role,
        kind: 'apiKey',
        memberships: [...principal.memberships].map(([servicePointId, role]) => ({
          servicePointId,
          role,
        })),
      };
    }
    const user = await this.users.findWithMemberships(principal.id);
    if (!user) throw AppError.unauthorized();
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      kind: 'user',
      memberships: user.memberships.map((m) => ({
        servicePointId: m.servicePointId,
        role: m.role,
      })),
    };
  }
}
