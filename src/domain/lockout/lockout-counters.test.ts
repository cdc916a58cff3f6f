import { jest } from '@jest/globals';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { RateLimit, type RateLimiters } from '../../infrastructure/rate-limits/rate-limiters.js';
import { LockoutCounters } from './lockout-counters.js';
import { DEFAULT_LOCKOUT } from './lockout-policy.js';

/** The same counters on rate-limiter-flexible's in-memory store, with jest's clock instead of waiting. */
function memoryLimiters(): RateLimiters {
  // One key at a time, as the statements that read and reset several at once must answer.
  const readDurable: RateLimiters['readDurable'] = (keys) => Promise.all(keys.map(async ({ limit, key }) => ({ ...(await limit.peek(key)), blockedForMs: await limit.blockedForMs(key) })));
  const limiters: Pick<RateLimiters, 'create' | 'readDurable' | 'readDurableOfGeneration' | 'resetDurable'> = {
    create: (name: string, points: number, duration: number) => new RateLimit(new RateLimiterMemory({ keyPrefix: name, points, duration })),
    readDurable,
    readDurableOfGeneration: async (generation, keysOf) => {
      const { total } = await generation.limit.peek(generation.key);
      return { generation: total, states: await readDurable(keysOf(String(total))) };
    },
    resetDurable: async (keys) => void (await Promise.all(keys.map(({ limit, key }) => limit.reset(key)))),
  };
  return limiters as RateLimiters;
}

describe('lockout counters', () => {
  let counters: LockoutCounters;
  const settings = DEFAULT_LOCKOUT;
  const attempt = (username: string, ip: string) => ({ username, ip, settings, spareUsernameLock: false });
  const fail = (username: string, ip: string) => counters.recordFailure({ username, ip, settings });
  const secondsLocked = async (username: string, ip: string) => {
    const lock = await counters.lockFor(attempt(username, ip));
    return lock ? Math.round((lock.until.getTime() - Date.now()) / 1000) : 0;
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-24T10:00:00Z') });
    counters = new LockoutCounters(memoryLimiters());
  });
  afterEach(() => jest.useRealTimers());

  it('locks a username from one address for 1 minute after 5 failures, doubling per further failure up to 15 minutes', async () => {
    for (let i = 0; i < 4; i++) await fail('alice', '203.0.113.7');
    expect(await secondsLocked('alice', '203.0.113.7')).toBe(0);
    const [lock] = await fail('alice', '203.0.113.7');
    expect(lock).toMatchObject({ scope: 'username_ip', failures: 5, ip: '203.0.113.7' });
    expect(await secondsLocked('alice', '203.0.113.7')).toBe(60);
    // Another address is not held by this lock.
    expect(await secondsLocked('alice', '198.51.100.1')).toBe(0);

    const durations: number[] = [];
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(16 * 60 * 1000);
      expect(await secondsLocked('alice', '203.0.113.7')).toBe(0);
      await fail('alice', '203.0.113.7');
      durations.push(await secondsLocked('alice', '203.0.113.7'));
    }
    expect(durations).toEqual([120, 240, 480, 900, 900]);
  });

  it('locks a username from every address at 20 failures, except a browser that signed in as the user before', async () => {
    for (let i = 0; i < 20; i++) await fail('bob', `198.51.100.${i % 5}`);
    expect(await counters.lockFor(attempt('bob', '192.0.2.99'))).toMatchObject({ scope: 'username', failures: 20 });
    expect(await counters.lockFor({ ...attempt('bob', '192.0.2.99'), spareUsernameLock: true })).toBeUndefined();
  });

  it('locks an address after 100 failures within an hour across usernames, and only for the rest of that hour', async () => {
    for (let i = 0; i < 99; i++) await fail(`user-${i}`, '192.0.2.1');
    expect(await counters.lockFor(attempt('anyone', '192.0.2.1'))).toBeUndefined();
    const started = await fail('user-99', '192.0.2.1');
    expect(started).toEqual([expect.objectContaining({ scope: 'ip', failures: 100 })]);
    expect(await counters.lockFor(attempt('someone-else', '192.0.2.1'))).toMatchObject({ scope: 'ip' });
    jest.advanceTimersByTime(61 * 60 * 1000);
    expect(await counters.lockFor(attempt('someone-else', '192.0.2.1'))).toBeUndefined();
  });

  it('forgets a username\'s failures after a success, so occasional typos never add up to a lock', async () => {
    for (let i = 0; i < 4; i++) await fail('carol', '203.0.113.8');
    await counters.recordSuccess('Carol', '203.0.113.8');
    for (let i = 0; i < 4; i++) await fail('carol', '203.0.113.8');
    expect(await counters.lockFor(attempt('carol', '203.0.113.8'))).toBeUndefined();
  });

  it('counts second-factor challenges that ran out of tries across sign-ins: the password before each one does not wipe them', async () => {
    for (let i = 0; i < 4; i++) {
      await counters.recordSuccess('erin', '203.0.113.9');
      expect(await counters.recordSecondFactorFailure('erin', settings)).toBeUndefined();
    }
    await counters.recordSuccess('erin', '203.0.113.9');
    expect(await counters.recordSecondFactorFailure('Erin', settings)).toMatchObject({ scope: 'second_factor', failures: 5 });
    expect(await counters.lockFor(attempt('erin', '198.51.100.9'))).toMatchObject({ scope: 'second_factor' });
    // Every browser is held, one that signed in as the user before too (whoever reached the
    // second factor had the password); gone once a sign-in completes.
    expect(await counters.lockFor({ ...attempt('erin', '203.0.113.9'), spareUsernameLock: true })).toMatchObject({ scope: 'second_factor' });
    expect(await counters.secondFactorLock('erin')).toMatchObject({ scope: 'second_factor', failures: 5 });
    await counters.recordSecondFactorSuccess('erin');
    expect(await counters.lockFor(attempt('erin', '198.51.100.9'))).toBeUndefined();
    expect(await counters.secondFactorLock('erin')).toBeUndefined();
  });

  it('clears a username\'s locks from every address at once, without knowing the addresses', async () => {
    for (const ip of ['203.0.113.1', '203.0.113.2']) for (let i = 0; i < 5; i++) await fail('dave', ip);
    for (let i = 0; i < 5; i++) await counters.recordSecondFactorFailure('dave', settings);
    expect((await counters.activeLocks('dave', ['203.0.113.1', '203.0.113.2'], settings)).map((l) => l.scope).sort()).toEqual(['second_factor', 'username_ip', 'username_ip']);
    await counters.clear('DAVE');
    expect(await counters.activeLocks('dave', ['203.0.113.1', '203.0.113.2'], settings)).toEqual([]);
    // Counting starts again from nothing.
    for (let i = 0; i < 4; i++) await fail('dave', '203.0.113.1');
    expect(await counters.lockFor(attempt('dave', '203.0.113.1'))).toBeUndefined();
  });

  it('reads the locks of a page of usernames at once, each with its counts', async () => {
    const now = Date.now();
    const inMinutes = (minutes: number) => new Date(now + minutes * 60_000);
    for (let i = 0; i < 5; i++) await fail('erin', '203.0.113.9');
    for (let i = 0; i < 20; i++) await fail('frank', `198.51.100.${i % 4}`);
    await counters.recordSecondFactorFailure('grace', { ...settings, max_failures: 1 });
    for (let i = 0; i < settings.ip_failures_per_hour; i++) await fail(`someone-${i}`, '192.0.2.50');
    await counters.clear('frank');
    const page = [
      { username: 'erin', ips: ['203.0.113.9', '203.0.113.9', '192.0.2.50'], settings },
      { username: 'frank', ips: ['198.51.100.1'], settings },
      { username: 'grace', ips: [], settings },
      { username: 'nobody-at-all', ips: ['192.0.2.50'], settings },
      { username: 'erin', ips: [], settings: { ...settings, ip_failures_per_hour: 1 } },
    ];
    expect(await counters.activeLocksOfMany(page)).toEqual([
      [
        { scope: 'username_ip', until: inMinutes(1), failures: 5, ip: '203.0.113.9' },
        { scope: 'ip', until: inMinutes(60), failures: settings.ip_failures_per_hour, ip: '192.0.2.50' },
      ],
      [],
      [{ scope: 'second_factor', until: inMinutes(1), failures: 1 }],
      [{ scope: 'ip', until: inMinutes(60), failures: settings.ip_failures_per_hour, ip: '192.0.2.50' }],
      [],
    ]);
    expect(await counters.activeLocks('erin', ['203.0.113.9'], settings)).toEqual([{ scope: 'username_ip', until: inMinutes(1), failures: 5, ip: '203.0.113.9' }]);
    expect(await counters.activeLocksOfMany([])).toEqual([]);
  });

  it('tells a sign-in whether its success has failures to forget, and writes nothing when it has none', async () => {
    const limiters = memoryLimiters();
    const resets = jest.spyOn(limiters, 'resetDurable');
    counters = new LockoutCounters(limiters);
    const clean = await counters.checkAttempt(attempt('heidi', '203.0.113.20'));
    expect(clean).toEqual({ lock: undefined, failuresToForget: false });
    await counters.recordSuccess('heidi', '203.0.113.20', clean);
    expect(resets).not.toHaveBeenCalled();

    // A failure from anywhere is a run for the success to end.
    await fail('heidi', '198.51.100.20');
    const afterFailure = await counters.checkAttempt(attempt('heidi', '203.0.113.20'));
    expect(afterFailure.failuresToForget).toBe(true);
    await counters.recordSuccess('heidi', '203.0.113.20', afterFailure);
    expect(resets).toHaveBeenCalledTimes(1);
    expect((await counters.checkAttempt(attempt('heidi', '203.0.113.20'))).failuresToForget).toBe(false);
    // Another username's failures from the same address are not this one's.
    await fail('ivan', '203.0.113.20');
    expect((await counters.checkAttempt(attempt('heidi', '203.0.113.20'))).failuresToForget).toBe(false);
  });
});
