import type { Redis } from 'ioredis';
import type { Knex } from 'knex';

/**
 * Short-lived marks shared by every replica ("this device code was polled in the last 5 s").
 * Redis when configured, the `ephemeral_marks` table otherwise.
 */
export interface EphemeralMarks {
  /** Sets the mark unless a live one exists; true when this call set it. */
  setIfAbsent(key: string, ttlMs: number): Promise<boolean>;
}

export class RedisEphemeralMarks implements EphemeralMarks {
  constructor(private readonly redis: Redis) {}

  async setIfAbsent(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`mark:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }
}

export class PostgresEphemeralMarks implements EphemeralMarks {
  constructor(private readonly knex: Knex) {}

  async setIfAbsent(key: string, ttlMs: number): Promise<boolean> {
    const expiresAt = new Date(Date.now() + ttlMs);
    // Insert, or take over an expired mark; a live mark makes the WHERE false and returns nothing.
    const { rows } = await this.knex.raw<{ rows: unknown[] }>(
      `INSERT INTO ephemeral_marks (key, value, expires_at) VALUES (?, '1', ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at
       WHERE ephemeral_marks.expires_at <= now()
       RETURNING key`,
      [key, expiresAt],
    );
    return rows.length === 1;
  }
}
