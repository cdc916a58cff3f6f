import type { Knex } from 'knex';
import type { RedisGate } from './redis.js';

/**
 * Short-lived marks shared by every replica ("this device code was polled in the last 5 s").
 * Redis when configured and answering, the `ephemeral_marks` table otherwise (a mark set in
 * one store during a Redis outage is not seen in the other: at worst one extra poll passes).
 */
export interface EphemeralMarks {
  /** Sets the mark unless a live one exists; true when this call set it. */
  setIfAbsent(key: string, ttlMs: number): Promise<boolean>;
}

export class RedisEphemeralMarks implements EphemeralMarks {
  constructor(
    private readonly gate: RedisGate,
    private readonly fallback: EphemeralMarks,
  ) {}

  async setIfAbsent(key: string, ttlMs: number): Promise<boolean> {
    return this.gate.run(
      async (redis) => (await redis.set(`mark:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK',
      () => this.fallback.setIfAbsent(key, ttlMs),
    );
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
