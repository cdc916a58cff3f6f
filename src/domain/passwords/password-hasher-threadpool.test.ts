import { promises as dns } from 'node:dns';
import { performance } from 'node:perf_hooks';
import bcrypt from 'bcrypt';
import { PasswordHasher, bcryptConcurrency, threadPoolSize } from './password-hasher.js';

/**
 * bcrypt runs on libuv's thread pool, as do DNS lookups. A burst of sign-ins must leave a thread
 * free: a DNS lookup beside it answers in milliseconds, not after the burst (788 ms instead of
 * 4 ms on a 4-core host whose 4 threads were all hashing). This process's pool is measured as
 * it is, standing in a host with as many cores as threads, the case that starved.
 */
describe('bcrypt beside a DNS lookup', () => {
  const pool = threadPoolSize();
  const burst = pool * 4;
  let hash: string;

  beforeAll(async () => {
    hash = await bcrypt.hash('x', 10);
  });

  async function lookupDuring(hashes: () => Promise<unknown>[]): Promise<{ lookupMs: number; hashesBefore: number; burstMs: number }> {
    let done = 0;
    const started = performance.now();
    const running = hashes().map((work) => work.then(() => done++));
    // Let the burst reach the thread pool before the lookup asks for a thread.
    await new Promise((resolve) => setImmediate(resolve));
    const asked = performance.now();
    await dns.lookup('localhost');
    const lookupMs = performance.now() - asked;
    const hashesBefore = done;
    await Promise.all(running);
    return { lookupMs, hashesBefore, burstMs: performance.now() - started };
  }

  it('bounds hashing below the pool size and raises nothing it cannot see', () => {
    expect(bcryptConcurrency(4, 4)).toBe(2);
    expect(bcryptConcurrency(2, 4)).toBe(2);
    expect(bcryptConcurrency(4, 8)).toBe(4);
    expect(bcryptConcurrency(16, 20)).toBe(16);
    expect(bcryptConcurrency(64, 16)).toBe(12);
    expect(bcryptConcurrency(8, 1)).toBe(1);
    expect(threadPoolSize({})).toBe(4);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '16' })).toBe(16);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: 'lots' })).toBe(4);
  });

  it('answers a DNS lookup during a burst of sign-ins without waiting for the burst', async () => {
    const hasher = new PasswordHasher(10, { cores: pool, poolSize: pool });
    expect(hasher.concurrency).toBeLessThan(pool);
    const bounded = await lookupDuring(() => Array.from({ length: burst }, () => hasher.verify('x', hash)));
    // What Gatehouse did before: as many hashes at once as cores, here as many as threads.
    const unbounded = await lookupDuring(() => Array.from({ length: burst }, () => bcrypt.compare('x', hash)));
    console.log(
      `thread pool ${pool}, ${burst} bcrypt comparisons (cost 10) at once:\n` +
        `  bounded to ${hasher.concurrency}: dns.lookup('localhost') took ${bounded.lookupMs.toFixed(1)} ms, ${bounded.hashesBefore} hashes finished before it (burst ${bounded.burstMs.toFixed(0)} ms)\n` +
        `  unbounded:    dns.lookup('localhost') took ${unbounded.lookupMs.toFixed(1)} ms, ${unbounded.hashesBefore} hashes finished before it (burst ${unbounded.burstMs.toFixed(0)} ms)`,
    );
    // A free thread takes the lookup at once: at most the hashes already running finish first.
    expect(bounded.hashesBefore).toBeLessThanOrEqual(hasher.concurrency);
    // Without the bound the lookup queues behind the burst: the test would notice a regression.
    expect(unbounded.hashesBefore).toBeGreaterThanOrEqual(burst - pool);
  });
});
