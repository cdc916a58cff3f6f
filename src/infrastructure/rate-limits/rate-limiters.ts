import type { Knex } from 'knex';
import type { RedisGate } from '../storage/redis.js';
import { runPrepared, type PreparedStatement } from '../storage/prepared-statements.js';
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

// rate-limiter-flexible's PostgreSQL table (created by the migrations): key, points, expire.
const TABLE = 'rate_limits';

export interface RateLimitDecision {
  allowed: boolean;
  /** When refused: seconds until the next attempt may succeed. */
  retryAfterSeconds: number;
}

/** One named limit: `points` per `durationSeconds` per key. */
export class RateLimit {
  /**
   * `bypass`: another store to use instead while `applies()` (Redis set aside: PostgreSQL).
   * `durable`: the limit lives in PostgreSQL only, so RateLimiters can read and reset several of
   * its keys in one statement.
   */
  constructor(
    private readonly primary: RateLimiterAbstract,
    private readonly bypass?: { limiter: RateLimiterAbstract; applies: () => boolean },
    readonly durable = false,
  ) {}

  /** The row key `key` is stored under (the limiter's prefix and the key). */
  storedKey(key: string): string {
    return this.primary.getKey(key);
  }

  /** What `peek` and `blockedForMs` answer for a stored row (none: never counted, or expired). */
  stateOfRow(row: StoredCount | undefined, now = Date.now()): CounterState & { blockedForMs: number } {
    if (!row) return { total: 0, resetsInMs: 0, blockedForMs: 0 };
    // As rate-limiter-flexible reads its rows: no expiry is -1 ms to go.
    const resetsInMs = row.expire === null ? -1 : Math.max(row.expire - now, 0);
    return { total: row.points, resetsInMs, blockedForMs: row.points > this.primary.points ? resetsInMs : 0 };
  }

  private get limiter(): RateLimiterAbstract {
    return this.bypass?.applies() ? this.bypass.limiter : this.primary;
  }

  async consume(key: string, points = 1): Promise<RateLimitDecision> {
    try {
      await this.limiter.consume(key, points);
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(outcome.msBeforeNext / 1000)) };
      throw outcome;
    }
  }

  /** Gives back points consumed for an attempt that turned out not to count (a right answer). */
  async refund(key: string, points = 1): Promise<void> {
    await this.limiter.reward(key, points);
  }

  /** Consumed points of a key, without consuming. */
  async used(key: string): Promise<number> {
    return (await this.limiter.get(key))?.consumedPoints ?? 0;
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }

  /**
   * Adds points without ever refusing, for counters whose thresholds the caller compares itself
   * (they differ per tenant). Returns the key's total and when its window ends.
   */
  async add(key: string, points = 1): Promise<CounterState> {
    const res = await this.limiter.penalty(key, points);
    return { total: res.consumedPoints, resetsInMs: res.msBeforeNext };
  }

  /** A key's total and remaining window, without changing it (0 when absent or expired). */
  async peek(key: string): Promise<CounterState> {
    const res = await this.limiter.get(key);
    return { total: res?.consumedPoints ?? 0, resetsInMs: res?.msBeforeNext ?? 0 };
  }

  /** Marks a key blocked for `seconds`; `blockedForMs` then answers until it expires. */
  async block(key: string, seconds: number): Promise<void> {
    await this.limiter.block(key, seconds);
  }

  /** How long the key stays blocked (0: not blocked). */
  async blockedForMs(key: string): Promise<number> {
    const res = await this.limiter.get(key);
    return res && res.consumedPoints > this.limiter.points ? res.msBeforeNext : 0;
  }
}

export interface CounterState {
  total: number;
  resetsInMs: number;
}

/** A row of `rate_limits`: the points counted and when they expire (epoch ms; null: never). */
export interface StoredCount {
  points: number;
  expire: number | null;
}

/** A key of a durable limit, for the reads and resets that take several at once. */
export interface DurableKey {
  limit: RateLimit;
  key: string;
}

export interface RateLimitOptions {
  /**
   * Counts that must survive a Redis restart or outage (lockout counters and locks): kept in
   * PostgreSQL only. Others (abuse limits) live in Redis when it answers, with PostgreSQL as
   * rate-limiter-flexible's insurance while it does not.
   */
  durable?: boolean;
}

/**
 * Rate limits shared by every replica, through rate-limiter-flexible: in Redis when configured
 * and answering, in PostgreSQL (`rate_limits`) otherwise.
 */
export class RateLimiters {
  constructor(private readonly store: { gate?: RedisGate; knex: Knex }) {}

  create(name: string, points: number, durationSeconds: number, options: RateLimitOptions = {}): RateLimit {
    const settings = { keyPrefix: `rl:${name}`, points, duration: durationSeconds };
    const postgres = new RateLimiterPostgres({ ...settings, storeClient: unnamedStatements(this.store.knex), storeType: 'pool', tableName: TABLE, tableCreated: true, clearExpiredByTimeout: false });
    if (options.durable) return new RateLimit(postgres, undefined, true);
    const gate = this.store.gate;
    if (!gate) return new RateLimit(postgres);
    const redis = new RateLimiterRedis({ ...settings, storeClient: gate.redis, rejectIfRedisNotReady: true, insuranceLimiter: postgres });
    // A Redis set aside is not even asked: a frozen one would cost each call a command timeout.
    return new RateLimit(redis, { limiter: postgres, applies: () => !gate.usable });
  }

  /**
   * The states of several keys of durable limits, in one statement instead of one each: a
   * sign-in reads four of the lockout's. In the order asked.
   */
  async readDurable(keys: readonly DurableKey[]): Promise<Array<CounterState & { blockedForMs: number }>> {
    const stored = keys.map(({ limit, key }) => storedKeyOfDurable(limit, key));
    const now = Date.now();
    // The rows rate-limiter-flexible would read one by one: unexpired, or without expiry.
    const { rows } = await this.store.knex.raw<{ rows: Array<{ key: string; points: number; expire: string | null }> }>(
      `SELECT key, points, expire FROM ${TABLE} WHERE key = ANY(?::text[]) AND (expire > ? OR expire IS NULL)`,
      [stored, now],
    );
    const byKey = new Map(rows.map((row) => [row.key, { points: Number(row.points), expire: row.expire === null ? null : Number(row.expire) }]));
    return keys.map(({ limit }, index) => limit.stateOfRow(byKey.get(stored[index]!), now));
  }

  /**
   * `readDurable` of keys that carry a generation, itself the count of another durable key, in
   * one statement: PostgreSQL reads the generation and then the keys of that generation, where
   * two statements would wait for each other. `keysOf` builds the keys for a generation given
   * as text (the statement fills it in the same way).
   */
  async readDurableOfGeneration(
    generation: DurableKey,
    keysOf: (generation: string) => readonly DurableKey[],
  ): Promise<{ generation: number; states: Array<CounterState & { blockedForMs: number }> }> {
    const templates = keysOf(GENERATION_MARK).map(({ limit, key }) => storedKeyOfDurable(limit, key));
    const now = Date.now();
    const { rows } = await runPrepared<{ generation: number; key: string | null; points: number | null; expire: string | null }>(this.store.knex, READ_OF_GENERATION, [
      storedKeyOfDurable(generation.limit, generation.key),
      now,
      GENERATION_MARK,
      templates,
      now,
    ]);
    const value = Number(rows[0]?.generation ?? 0);
    const keys = keysOf(String(value));
    const byKey = new Map(rows.filter((row) => row.key !== null).map((row) => [row.key!, { points: Number(row.points), expire: row.expire === null ? null : Number(row.expire) }]));
    return { generation: value, states: keys.map(({ limit, key }) => limit.stateOfRow(byKey.get(storedKeyOfDurable(limit, key)), now)) };
  }

  /** Forgets several keys of durable limits in one statement (as `reset` on each). */
  async resetDurable(keys: readonly DurableKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.store.knex.raw(`DELETE FROM ${TABLE} WHERE key = ANY(?::text[])`, [keys.map(({ limit, key }) => storedKeyOfDurable(limit, key))]);
  }
}

/** Stands for the generation in the keys of `readDurableOfGeneration` (no key holds braces). */
const GENERATION_MARK = '{generation}';

/**
 * Kept prepared on each connection: planned afresh, its subqueries cost PostgreSQL more than
 * the two plain look-ups it replaces. `?`: the generation's key, now, the mark, the keys with
 * the mark in them, now.
 */
const READ_OF_GENERATION: PreparedStatement = {
  name: 'gh_rate_limits_of_generation',
  sql: `SELECT g.value AS generation, c.key, c.points, c.expire
          FROM (SELECT coalesce((SELECT points FROM ${TABLE} WHERE key = ? AND (expire > ? OR expire IS NULL)), 0) AS value) AS g
          LEFT JOIN LATERAL (
            SELECT key, points, expire FROM ${TABLE}
             WHERE key = ANY (ARRAY(SELECT replace(template, ?, g.value::text) FROM unnest(?::text[]) AS template))
               AND (expire > ? OR expire IS NULL)
          ) AS c ON true`,
};

function storedKeyOfDurable(limit: RateLimit, key: string): string {
  // Another limit may live in Redis, where this table would not see it.
  if (!limit.durable) throw new Error('only durable limits are read and reset together');
  return limit.storedKey(key);
}

/**
 * rate-limiter-flexible prepares some statements by name, once per connection. The embedded
 * database serves every pooled connection from one session, where a name prepared twice
 * collides ("prepared statement already exists"); so statements go through the pool unnamed.
 * These are one-row look-ups by key: planning them each time costs next to nothing.
 */
function unnamedStatements(knex: Knex) {
  return {
    async query(statement: { text: string; values?: unknown[] }) {
      // What knex reports for every statement it sends: the round-trip metric and tests count it.
      knex.emit('query', { method: 'raw', sql: statement.text, bindings: statement.values });
      const connection = await knex.client.acquireConnection();
      try {
        return await connection.query({ text: statement.text, values: statement.values });
      } finally {
        await knex.client.releaseConnection(connection);
      }
    },
  };
}
