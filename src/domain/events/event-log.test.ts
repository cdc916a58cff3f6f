import type { Knex } from 'knex';
import { pino } from 'pino';
import { EventLog } from './event-log.js';

/**
 * A stand-in for knex: a batch arrives as one statement of column arrays (`raw`, the first array
 * holding each row's time), a single row through the query builder (`insert`).
 */
function fakeDatabase(batch: (columns: unknown[][]) => Promise<void>, single: (row: Record<string, unknown>) => Promise<void>): Knex {
  const knex = Object.assign(() => ({ insert: single }), {
    raw: async (_sql: string, columns: unknown[][]) => {
      await batch(columns);
      return { rows: [], rowCount: columns[0]!.length };
    },
  });
  return knex as unknown as Knex;
}

/** A database whose inserts hang (a locked table, a saturated server) until released. */
function stalledDatabase() {
  const written: unknown[][] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const knex = fakeDatabase(
    async (columns) => {
      await released;
      written.push(columns[0]!);
    },
    async () => Promise.reject(new Error('batches only')),
  );
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
    const unavailable = async () => Promise.reject(new Error('database unavailable'));
    const failing = fakeDatabase(unavailable, unavailable);
    const log = new EventLog(failing, pino({ level: 'silent' }));
    log.record({ type: 'login.succeeded' });
    log.record({ type: 'login.failed' });
    await log.flush();
    expect(log.dropped).toBe(2);
  });

  it('writes the rest of a refused batch row by row, dropping only the row refused', async () => {
    const written: unknown[] = [];
    const picky = fakeDatabase(
      async () => Promise.reject(new Error('one row is bad')),
      async (row) => {
        if (row.reason === 'wrong_code') throw new Error('refused');
        written.push(row);
      },
    );
    const log = new EventLog(picky, pino({ level: 'silent' }));
    log.record({ type: 'login.failed', reason: 'wrong_password' });
    log.record({ type: 'mfa.failed', reason: 'wrong_code' });
    log.record({ type: 'account.locked', reason: 'username_ip' });
    await log.flush();
    expect(written).toHaveLength(2);
    expect(log.dropped).toBe(1);
  });
});
