import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/** argon2id password hashes. */
@Injectable()
export class PasswordHasher {
  // Verified against when the e-mail is unknown, so both paths cost the same time.
  private dummyHash: Promise<string> | undefined;

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    if (!hash) {
      this.dummyHash ??= this.hash('not-a-real-password');
      await argon2.verify(await this.dummyHash, password).catch(() => false);
      return false;
    }
    return argon2.verify(hash, password).catch(() => false);
  }
}
