import type { Knex } from 'knex';

/**
 * Builds index `name` with `CREATE INDEX CONCURRENTLY … <definition>` (writes go on while it
 * builds), then drops the index it replaces, if any. For a migration with
 * `config = { transaction: false }`: CONCURRENTLY cannot run in a transaction. A concurrent build
 * that failed leaves an invalid index behind; it is dropped and built again, so an interrupted
 * migration step is simply run again.
 */
export async function replaceIndexConcurrently(knex: Knex, name: string, definition: string, replaced?: string): Promise<void> {
  const leftover = await knex.raw<{ rows: { valid: boolean }[] }>(
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ?`,
    [name],
  );
  if (leftover.rows[0] && !leftover.rows[0].valid) await knex.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  await knex.raw(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ${definition}`);
  if (replaced) await knex.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${replaced}`);
}
