import type { Gatehouse } from '../../src/app/gatehouse.js';

/**
 * Lets time pass for the lockout without waiting: every lock of the given limiter (by default
 * the username locks) expires now, in Redis or in PostgreSQL's `rate_limits`, while the failure
 * counters stay, as they would after the lock's minutes had gone by.
 */
export async function expireLockoutKeys(gatehouse: Gatehouse, limiter: 'lockout-lock' | 'lockout-ip' = 'lockout-lock'): Promise<void> {
  const prefix = `rl:${limiter}:`;
  if (gatehouse.redis) {
    const redisPrefix = (gatehouse.redis.options.keyPrefix as string | undefined) ?? '';
    let cursor = '0';
    do {
      const [next, keys] = await gatehouse.redis.scan(cursor, 'MATCH', `${redisPrefix}${prefix}*`, 'COUNT', 1000);
      cursor = next;
      // ioredis adds its key prefix to every key it is given: strip the one SCAN returns.
      for (const key of keys) await gatehouse.redis.pexpire(key.slice(redisPrefix.length), 1);
    } while (cursor !== '0');
    await new Promise((resolve) => setTimeout(resolve, 5));
    return;
  }
  await gatehouse.database.knex('rate_limits').where('key', 'like', `${prefix}%`).update({ expire: Date.now() - 1 });
}

/** Polls until `check` stops throwing (events of the background queue land a moment later). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
