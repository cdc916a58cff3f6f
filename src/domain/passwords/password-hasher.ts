import { createHmac } from 'node:crypto';
import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';
import pLimit from 'p-limit';

/**
 * bcrypt, kept off the event loop and bounded.
 *
 * - The async bcrypt calls run on libuv's thread pool, so token requests keep flowing while a
 *   password is checked; at most one hash per core runs at once, so a flood of sign-ins queues
 *   here instead of starving the pool that file and DNS work also need.
 * - bcrypt only reads the first 72 bytes: passwords are first condensed with HMAC-SHA-256
 *   (base64, 44 bytes), so every character of a 128-character passphrase counts and no NUL
 *   byte reaches bcrypt.
 */
export class PasswordHasher {
  private readonly limit = pLimit(Math.max(1, availableParallelism()));
  private dummyHash?: Promise<string>;

  constructor(private readonly cost: number) {}

  hash(password: string): Promise<string> {
    return this.limit(() => bcrypt.hash(condense(password), this.cost));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.limit(() => bcrypt.compare(condense(password), hash));
  }

  /**
   * Spends the same time as a real check, for usernames that do not exist: a stranger must not
   * learn from timing which usernames are real.
   */
  async verifyAgainstNothing(password: string): Promise<false> {
    this.dummyHash ??= this.hash('gatehouse-dummy-password');
    await this.verify(password, await this.dummyHash);
    return false;
  }
}

function condense(password: string): string {
  return createHmac('sha256', 'gatehouse/password/v1').update(password.normalize('NFKC'), 'utf8').digest('base64');
}
