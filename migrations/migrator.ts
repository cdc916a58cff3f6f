import type { Knex } from 'knex';
import { migrations, type Migration } from './index.js';

// An arbitrary constant shared by every replica: the advisory lock on it serialises start-ups.
const MIGRATION_LOCK_KEY = 727_112_001;
// How often a replica waiting for another's migrations asks for the lock again.
const LOCK_POLL_MS = 250;

const source: Knex.MigrationSource<Migration> = {
  getMigrations: async () => migrations,
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => migration,
};

/**
 * Applies pending migrations while one connection holds a session-level PostgreSQL advisory
 * lock, so replicas starting together wait for each other instead of racing (knex's own lock
 * table makes the loser fail), each asking for the lock until it gets it (see takeLock). The
 * lock is taken outside a transaction because the embedded database runs transactions one at a
 * time. Returns the names applied.
 */
export async function migrateToLatest(knex: Knex, options: { embedded?: boolean } = {}): Promise<string[]> {
  // The embedded database belongs to this one process (and its pool has one connection).
  if (options.embedded) return latest(knex);
  const connection = await knex.client.acquireConnection();
  try {
    await takeLock(knex, connection);
    try {
      return await latest(knex);
    } finally {
      await knex.raw('SELECT pg_advisory_unlock(?)', [MIGRATION_LOCK_KEY]).connection(connection);
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

/**
 * Waits for the migration lock by asking again and again, never by blocking in PostgreSQL: a
 * replica blocked in `pg_advisory_lock` sits in an open transaction, and `CREATE INDEX
 * CONCURRENTLY` in the lock holder's migration waits for every open transaction to end. The
 * holder would wait for the waiters, the waiters for the holder, and PostgreSQL cannot see that
 * circle (it runs through the holder's process, not through a lock).
 */
async function takeLock(knex: Knex, connection: unknown): Promise<void> {
  for (;;) {
    const { rows } = await knex.raw<{ rows: { taken: boolean }[] }>('SELECT pg_try_advisory_lock(?) AS taken', [MIGRATION_LOCK_KEY]).connection(connection);
    if (rows[0]?.taken) return;
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/**
 * knex's own lock row stays taken when a run is killed half-way (a pod evicted during a long
 * index build), and every later run would then refuse to start ("Migration table is already
 * locked") until someone cleared it by hand. Only the holder of the advisory lock (or the one
 * process of the embedded database) gets here, so a taken row can only be such a leftover.
 */
async function latest(knex: Knex): Promise<string[]> {
  await knex.migrate.forceFreeMigrationsLock({ migrationSource: source });
  const [, applied] = (await knex.migrate.latest({ migrationSource: source })) as [number, string[]];
  return applied;
}
