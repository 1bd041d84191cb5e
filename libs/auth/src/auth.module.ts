import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '@bandeja/core';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AdminOnlyGuard } from './admin-only.guard';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeysService } from './api-keys/api-keys.service';
import { AuthenticationGuard } from './authentication.guard';
import { CredentialsResolver } from './credentials.resolver';
import { AuthController } from './login/auth.controller';
import { AuthService } from './login/auth.service';
import { JwtStrategy } from './login/jwt.strategy';
import { LoginRateLimiter } from './login/login-rate-limiter';
import { MembersController } from './members/members.controller';
import { MembersService } from './members/members.service';
import { PasswordHasher } from './password-hasher';
import { PointAccessGuard } from './tenancy/point-access.guard';
import { PointResolverRegistry } from './tenancy/point-resolver.registry';
import { TenancyService } from './tenancy/tenancy.service';
import { UsersController } from './users/users.controller';
import { UsersRepository } from './users/users.repository';
import { UsersService } from './users/users.service';

/**
 * Identity and access: users, memberships, API keys, login, and the tenancy guard every
 * point-scoped route relies on. Guards run in order: authenticate → point access (404 before
 * anything else for a foreign point) → admin-only (403).
 */
@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.JWT_SECRET,
        signOptions: { expiresIn: config.JWT_EXPIRES_IN_SECONDS, algorithm: 'HS256' },
      }),
    }),
  ],
  controllers: [AuthController, UsersController, ApiKeysController, MembersController],
  providers: [
    PasswordHasher,
    LoginRateLimiter,
    AuthService,
    JwtStrategy,
    UsersRepository,
    UsersService,
    ApiKeysService,
    MembersService,
    TenancyService,
    PointResolverRegistry,
    AdminBootstrapService,
    CredentialsResolver,
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: PointAccessGuard },
    { provide: APP_GUARD, useClass: AdminOnlyGuard },
  ],
  exports: [
    TenancyService,
    PointResolverRegistry,
    PasswordHasher,
    AdminBootstrapService,
    CredentialsResolver,
  ],
})
export class AuthModule {}
