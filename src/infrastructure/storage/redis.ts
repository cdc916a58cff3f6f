import { Redis } from 'ioredis';

/**
 * Redis for short-lived state. No offline queue and a command timeout: while Redis is away a
 * request fails fast with a clear error instead of hanging on a queue that never drains.
 */
export function connectRedis(url: string, keyPrefix: string): Redis {
  return new Redis(url, {
    keyPrefix,
    enableOfflineQueue: false,
    commandTimeout: 2_000,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    lazyConnect: false,
    // Commands issued in the same tick travel in one write: under load, many token requests
    // share a round trip.
    enableAutoPipelining: true,
  });
}

/** Resolves once the client is ready (start-up waits for it; readiness probes ping). */
export async function waitForRedis(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Redis did not become ready in time (REDIS_URL)')), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
