import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateLimitDecision {
  allowed: boolean;
  /** When refused: seconds until the next attempt may succeed. */
  retryAfterSeconds: number;
}

/** One named limit: `points` per `durationSeconds` per key. */
export class RateLimit {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  async consume(key: string, points = 1): Promise<RateLimitDecision> {
    try {
      await this.limiter.consume(key, points);
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(outcome.msBeforeNext / 1000)) };
      throw outcome;
    }
  }

  /** Consumed points of a key, without consuming. */
  async used(key: string): Promise<number> {
    return (await this.limiter.get(key))?.consumedPoints ?? 0;
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

/**
 * Rate limits shared by every replica, through rate-limiter-flexible: in Redis when configured,
 * in PostgreSQL (`rate_limits`) otherwise.
 */
export class RateLimiters {
  constructor(private readonly store: { redis?: Redis; knex: Knex }) {}

  create(name: string, points: number, durationSeconds: number): RateLimit {
    const options = { keyPrefix: `rl:${name}`, points, duration: durationSeconds };
    const limiter = this.store.redis
      ? new RateLimiterRedis({ ...options, storeClient: this.store.redis, rejectIfRedisNotReady: true })
      : new RateLimiterPostgres({ ...options, storeClient: this.store.knex, storeType: 'knex', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false });
    return new RateLimit(limiter);
  }
}
