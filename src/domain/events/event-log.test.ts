import type { Knex } from 'knex';
import { pino } from 'pino';
import { EventLog } from './event-log.js';

/** A database whose inserts hang (a locked table, a saturated server) until released. */
function stalledDatabase() {
  const written: unknown[][] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const knex = (() => ({
    insert: async (rows: unknown[]) => {
      await released;
      written.push(rows);
    },
  })) as unknown as Knex;
  return { knex, written, release };
}

describe('event log', () => {
  it('never makes a sign-in wait for a stalled database: recording returns at once and overflow is dropped and counted', async () => {
    const db = stalledDatabase();
    const log = new EventLog(db.knex, pino({ level: 'silent' }));
    const started = performance.now();
    for (let i = 0; i < 10_600; i++) log.record({ type: 'login.failed', reason: 'wrong_password' });
    expect(performance.now() - started).toBeLessThan(1_000);

    // The first batch is stuck in the database; the queue holds the rest up to its bound.
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.dropped).toBeGreaterThan(0);
    expect(log.queued + log.dropped + 500).toBe(10_600);

    db.release();
    await log.flush();
    expect(db.written.flat()).toHaveLength(10_600 - log.dropped);
    expect(log.queued).toBe(0);
  });

  it('counts a batch the database refuses as dropped instead of failing anyone', async () => {
    const failing = (() => ({ insert: async () => Promise.reject(new Error('database unavailable')) })) as unknown as Knex;
    const log = new EventLog(failing, pino({ level: 'silent' }));
    log.record({ type: 'login.succeeded' });
    log.record({ type: 'login.failed' });
    await log.flush();
    expect(log.dropped).toBe(2);
  });

  it('writes the rest of a refused batch row by row, dropping only the row refused', async () => {
    const written: unknown[] = [];
    const picky = (() => ({
      insert: async (rows: { reason: string | null } | { reason: string | null }[]) => {
        if (Array.isArray(rows)) throw new Error('one row is bad');
        if (rows.reason === 'wrong_code') throw new Error('refused');
        written.push(rows);
      },
    })) as unknown as Knex;
    const log = new EventLog(picky, pino({ level: 'silent' }));
    log.record({ type: 'login.failed', reason: 'wrong_password' });
    log.record({ type: 'mfa.failed', reason: 'wrong_code' });
    log.record({ type: 'account.locked', reason: 'username_ip' });
    await log.flush();
    expect(written).toHaveLength(2);
    expect(log.dropped).toBe(1);
  });
});
