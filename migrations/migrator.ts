import type { Knex } from 'knex';
import { migrations, type Migration } from './index.js';

// An arbitrary constant shared by every replica: pg_advisory_lock(key) serialises start-ups.
const MIGRATION_LOCK_KEY = 727_112_001;

const source: Knex.MigrationSource<Migration> = {
  getMigrations: async () => migrations,
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => migration,
};

/**
 * Applies pending migrations while one connection holds a session-level PostgreSQL advisory
 * lock, so replicas starting together wait for each other instead of racing (knex's own lock
 * table makes the loser fail). The lock is taken outside a transaction because the embedded
 * database runs transactions one at a time. Returns the names applied.
 */
export async function migrateToLatest(knex: Knex, options: { embedded?: boolean } = {}): Promise<string[]> {
  // The embedded database belongs to this one process (and its pool has one connection).
  if (options.embedded) return ((await knex.migrate.latest({ migrationSource: source })) as [number, string[]])[1];
  const connection = await knex.client.acquireConnection();
  try {
    await knex.raw('SELECT pg_advisory_lock(?)', [MIGRATION_LOCK_KEY]).connection(connection);
    try {
      const [, applied] = (await knex.migrate.latest({ migrationSource: source })) as [number, string[]];
      return applied;
    } finally {
      await knex.raw('SELECT pg_advisory_unlock(?)', [MIGRATION_LOCK_KEY]).connection(connection);
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
}
