import type { Gatehouse } from '../../src/app/gatehouse.js';

/**
 * Lets time pass for the lockout without waiting: every lock of the given limiter (by default
 * the username locks) expires now, in PostgreSQL's `rate_limits` (the lockout never keeps its
 * counts in Redis only), while the failure counters stay, as they would after the lock's
 * minutes had gone by.
 */
export async function expireLockoutKeys(gatehouse: Gatehouse, limiter: 'lockout-lock' | 'lockout-ip' = 'lockout-lock'): Promise<void> {
  const prefix = `rl:${limiter}:`;
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
