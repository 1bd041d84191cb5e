import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { IncomingMessage } from 'node:http';
import { ApiKeysService } from './api-keys/api-keys.service';
import { AuthService, JwtPayload } from './login/auth.service';
import type { Principal } from './principal';

/**
 * Resolves a caller outside Nest's guard chain (plain Express routers such as the queue
 * dashboard): X-Api-Key, Bearer JWT, or HTTP Basic with e-mail and password (for browsers).
 */
@Injectable()
export class CredentialsResolver {
  constructor(
    private readonly jwt: JwtService,
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async resolve(req: IncomingMessage): Promise<Principal | null> {
    const apiKey = req.headers['x-api-key'];
    if (typeof apiKey === 'string') return this.apiKeys.authenticate(apiKey);
    const header = req.headers.authorization ?? '';
    const [scheme, value] = header.split(' ', 2);
    if (scheme?.toLowerCase() === 'bearer' && value) {
      try {
        const payload = await this.jwt.verifyAsync<JwtPayload>(value, { algorithms: ['HS256'] });
        return await this.auth.principalForUser(payload.sub);
      } catch {
        return null;
      }
    }
    if (scheme?.toLowerCase() === 'basic' && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const at = decoded.indexOf(':');
      if (at < 0) return null;
      try {
        const session = await this.auth.login(
          decoded.slice(0, at),
          decoded.slice(at + 1),
          req.socket.remoteAddress ?? 'unknown',
        );
        return await this.auth.principalForUser(session.user.id);
      } catch {
        return null;
      }
    }
    return null;
  }
}
