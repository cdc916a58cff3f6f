import { randomBytes } from 'node:crypto';
import { LockoutCounters } from '../../src/domain/lockout/lockout-counters.js';
import { DEFAULT_LOCKOUT } from '../../src/domain/lockout/lockout-policy.js';
import { RateLimiters } from '../../src/infrastructure/rate-limits/rate-limiters.js';
import type { Database } from '../../src/infrastructure/storage/database.js';
import { openMigratedDatabase, type MigratedDatabase } from '../helpers/test-gatehouse.js';

/** The embedded database, and the real server when the environment names one. */
const kinds = ['embedded', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])] as const;

/**
 * A sign-in reads four of the lockout's durable counters and a success resets four: one
 * statement each way, which must answer exactly what rate-limiter-flexible answers key by key.
 */
describe.each(kinds)('durable rate limits read and reset together, on %s PostgreSQL', (kind) => {
  let database: Database;
  let opened: MigratedDatabase;
  let limiters: RateLimiters;

  beforeAll(async () => {
    opened = await openMigratedDatabase({ onServer: kind === 'postgres' });
    database = opened.database;
    limiters = new RateLimiters({ knex: database.knex });
  });
  afterAll(async () => opened?.dispose());

  const key = () => randomBytes(8).toString('hex');

  async function statementsOf(work: () => Promise<unknown>): Promise<number> {
    let count = 0;
    const onQuery = () => count++;
    database.knex.on('query', onQuery);
    try {
      await work();
    } finally {
      database.knex.off('query', onQuery);
    }
    return count;
  }

  it('answers as each key read alone: counted, blocked, never counted, expired', async () => {
    const counts = limiters.create(`counts-${key()}`, 1_000, 3600, { durable: true });
    const locks = limiters.create(`locks-${key()}`, 1, 3600, { durable: true });
    const brief = limiters.create(`brief-${key()}`, 1_000, 1, { durable: true });
    const [counted, blocked, unblocked, never, expired] = [key(), key(), key(), key(), key()];
    await counts.add(counted, 3);
    await locks.block(blocked, 600);
    await locks.add(unblocked, 1);
    await brief.add(expired, 2);
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const asked = [
      { limit: counts, key: counted },
      { limit: locks, key: blocked },
      { limit: locks, key: unblocked },
      { limit: counts, key: never },
      { limit: brief, key: expired },
      // The same key under another limit's prefix is another row.
      { limit: locks, key: counted },
    ];
    let together: Awaited<ReturnType<RateLimiters['readDurable']>> = [];
    expect(await statementsOf(async () => (together = await limiters.readDurable(asked)))).toBe(1);
    const alone = await Promise.all(asked.map(async ({ limit, key }) => ({ ...(await limit.peek(key)), blockedForMs: await limit.blockedForMs(key) })));

    expect(together.map((state) => [state.total, state.blockedForMs > 0])).toEqual([
      [3, false],
      [2, true],
      [1, false],
      [0, false],
      [0, false],
      [0, false],
    ]);
    together.forEach((state, index) => {
      expect(state.total).toBe(alone[index]!.total);
      // Read a few milliseconds apart.
      expect(Math.abs(state.resetsInMs - alone[index]!.resetsInMs)).toBeLessThan(1_000);
      expect(Math.abs(state.blockedForMs - alone[index]!.blockedForMs)).toBeLessThan(1_000);
    });
    expect(together[1]!.blockedForMs).toBeGreaterThan(590_000);
  });

  it('reads a generation and the keys of that generation in one statement', async () => {
    const generations = limiters.create(`generations-${key()}`, 1_000, 3600, { durable: true });
    const counts = limiters.create(`counts-${key()}`, 1_000, 3600, { durable: true });
    const subject = key();
    const keysOf = (generation: string) => [
      { limit: counts, key: `${subject}:${generation}:2001:db8::7` },
      { limit: counts, key: subject },
      { limit: counts, key: `${subject}:${generation}` },
    ];
    await counts.add(`${subject}:0:2001:db8::7`, 4);
    await counts.add(subject, 9);
    await counts.add(`${subject}:2`, 5);
    let read: Awaited<ReturnType<RateLimiters['readDurableOfGeneration']>> | undefined;
    const reading = () => limiters.readDurableOfGeneration({ limit: generations, key: subject }, keysOf);

    // Never moved: generation 0 (no row), and its keys.
    expect(await statementsOf(async () => (read = await reading()))).toBe(1);
    expect({ generation: read!.generation, totals: read!.states.map((state) => state.total) }).toEqual({ generation: 0, totals: [4, 9, 0] });
    // Two generations on: the keys of generation 2, never those of 0.
    await generations.add(subject, 2);
    read = await reading();
    expect({ generation: read.generation, totals: read.states.map((state) => state.total) }).toEqual({ generation: 2, totals: [0, 9, 5] });
    // As readDurable reads the same keys.
    expect((await limiters.readDurable(keysOf('2'))).map((state) => state.total)).toEqual([0, 9, 5]);
  });

  it('resets several keys in one statement and leaves the others', async () => {
    const counts = limiters.create(`counts-${key()}`, 1_000, 3600, { durable: true });
    const locks = limiters.create(`locks-${key()}`, 1, 3600, { durable: true });
    const [a, b, kept] = [key(), key(), key()];
    await counts.add(a);
    await locks.block(b, 600);
    await counts.add(kept, 2);
    expect(await statementsOf(() => limiters.resetDurable([{ limit: counts, key: a }, { limit: locks, key: b }, { limit: counts, key: key() }]))).toBe(1);
    expect(await counts.peek(a)).toEqual({ total: 0, resetsInMs: 0 });
    expect(await locks.blockedForMs(b)).toBe(0);
    expect((await counts.peek(kept)).total).toBe(2);
  });

  // The embedded database serves every statement through one connection, one after another: on
  // a slow, busy machine the last of 200 at once waited past its 10 s for a connection (a CI run).
  const atOnce = kind === 'embedded' ? 50 : 200;

  it(`counts ${atOnce} wrong passwords sent at once, each once, and the one-statement read then sees the lock`, async () => {
    const counters = new LockoutCounters(limiters);
    const username = `guessed-${key()}`;
    // The address is locked past 40 failures an hour here (100 by default), below either count.
    const attempt = { username, ip: '203.0.113.50', settings: { ...DEFAULT_LOCKOUT, ip_failures_per_hour: 40 } };
    await Promise.all(Array.from({ length: atOnce }, () => counters.recordFailure(attempt)));
    const lock = await counters.lockFor({ ...attempt, spareUsernameLock: false });
    expect(lock).toMatchObject({ scope: 'username_ip', failures: atOnce, ip: '203.0.113.50' });
    // A success forgets the username's counts and locks in one statement; the address's count
    // across usernames stays (an attacker's own account must not wipe it), and holds it.
    await counters.recordSuccess(username, '203.0.113.50');
    expect(await counters.lockFor({ ...attempt, spareUsernameLock: false })).toMatchObject({ scope: 'ip', failures: atOnce });
    expect(await counters.lockFor({ ...attempt, ip: '198.51.100.7', spareUsernameLock: false })).toBeUndefined();
  }, 60_000);

  it('refuses limits that may live in Redis', async () => {
    const abuse = limiters.create(`abuse-${key()}`, 10, 60);
    await expect(limiters.readDurable([{ limit: abuse, key: key() }])).rejects.toThrow(/durable/);
  });
});
