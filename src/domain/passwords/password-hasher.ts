import { createHmac } from 'node:crypto';
import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';
import pLimit from 'p-limit';

/**
 * How many hashes may run at once: one per core, but never so many that libuv's thread pool
 * (UV_THREADPOOL_SIZE, 4 unless raised) is full. The async bcrypt calls run on that pool, and so
 * do DNS lookups (PostgreSQL, Redis, SES by name), file reads and some crypto: with every thread
 * busy hashing, a DNS lookup beside a burst of sign-ins waited 788 ms instead of 4 ms on a
 * 4-core host. Half the pool, and at most 4 threads, stay free for that work.
 */
export function bcryptConcurrency(cores: number, poolSize: number): number {
  const reserved = Math.min(4, Math.floor(poolSize / 2));
  return Math.max(1, Math.min(cores, poolSize - reserved));
}

/** The thread pool's size as libuv read it at start (src/threadpool.ts sets it before that). */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const size = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : 4;
}

/**
 * bcrypt, kept off the event loop and bounded.
 *
 * - The async bcrypt calls run on libuv's thread pool, so token requests keep flowing while a
 *   password is checked; at most `bcryptConcurrency` hashes run at once, so a flood of sign-ins
 *   queues here instead of starving the pool that file and DNS work also need.
 * - bcrypt only reads the first 72 bytes: passwords are first condensed with HMAC-SHA-256
 *   (base64, 44 bytes), so every character of a 128-character passphrase counts and no NUL
 *   byte reaches bcrypt.
 */
export class PasswordHasher {
  private readonly limit: ReturnType<typeof pLimit>;
  private dummyHash?: Promise<string>;

  constructor(
    private readonly cost: number,
    /** Tests stand in another host's cores and pool. */
    host: { cores: number; poolSize: number } = { cores: availableParallelism(), poolSize: threadPoolSize() },
  ) {
    this.limit = pLimit(bcryptConcurrency(host.cores, host.poolSize));
  }

  /** Hashes allowed to run at once. */
  get concurrency(): number {
    return this.limit.concurrency;
  }

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
