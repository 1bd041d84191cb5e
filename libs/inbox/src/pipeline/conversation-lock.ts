import { Injectable } from '@nestjs/common';
import { RedisService } from '@bandeja/core';

/** How long a holder keeps a conversation without extending (a dead holder frees it after this). */
export const LOCK_TTL_MS = 30_000;

/** Takes the lock, or, when another worker holds it, leaves word that it must look again. */
const ACQUIRE = `if redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 1 end
redis.call('set', KEYS[2], '1', 'PX', ARGV[2])
return 0`;

/** Lets go of the lock (if still this holder's) and answers 1 when word was left meanwhile. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
if redis.call('del', KEYS[2]) == 1 then return 1 end
return 0`;

/**
 * The per-conversation lock of the pipeline's workers, in Redis. Taking it and leaving word for
 * its holder are one atomic step, and so are letting go and reading the word: a holder that lets
 * go after a busy caller left word goes round once more; one that let go before leaves the lock
 * to that caller. So a message stored while its conversation was held is never left waiting for
 * the sweep, and the holder needs no database read after letting go.
 */
@Injectable()
export class ConversationLock {
  constructor(private readonly redis: RedisService) {}

  /** The key a worker holds while it works through a conversation. */
  key(conversationId: string): string {
    return this.redis.key('conv-lock', conversationId);
  }

  private againKey(conversationId: string): string {
    return this.redis.key('conv-again', conversationId);
  }

  /** True when taken (with `token`); false when held by another, which is then told to look again. */
  async acquire(conversationId: string, token: string): Promise<boolean> {
    const taken = await this.redis.client.eval(
      ACQUIRE,
      2,
      this.key(conversationId),
      this.againKey(conversationId),
      token,
      LOCK_TTL_MS,
    );
    return taken === 1;
  }

  /** Keeps a long holder's lock alive. */
  async extend(conversationId: string): Promise<void> {
    await this.redis.client.pexpire(this.key(conversationId), LOCK_TTL_MS);
  }

  /** Lets go; true when someone found the conversation held meanwhile (look again). */
  async release(conversationId: string, token: string): Promise<boolean> {
    const again = await this.redis.client.eval(
      RELEASE,
      2,
      this.key(conversationId),
      this.againKey(conversationId),
      token,
    );
    return again === 1;
  }
}
