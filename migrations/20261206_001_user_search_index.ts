import type { Knex } from 'knex';

const INDEX = 'users_tenant_search_index';
const REPLACED = 'users_tenant_id_created_at_index';

/**
 * The admin search (and the plain list) of a tenant's people reads only this index: its key is
 * the list's order within the tenant, and it carries every column the search matches, so the
 * matching runs on the index alone and only the page's rows (at most 51) are read from the table.
 * A tenant's rows lie scattered across the table, one page each: the search read a thousand
 * pages for a thousand people, which in a large installation are rarely all in memory.
 * It replaces the index on (tenant_id, created_at), whose work it does as well.
 *
 * Built CONCURRENTLY, outside a transaction: a plain CREATE INDEX would hold every write to
 * `users` (each sign-in records itself there) for as long as the build takes.
 */
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  // A concurrent build that failed leaves an invalid index behind: it is dropped and built again.
  const leftover = await knex.raw<{ rows: { valid: boolean }[] }>(
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ?`,
    [INDEX],
  );
  if (leftover.rows[0] && !leftover.rows[0].valid) await knex.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${INDEX}`);
  await knex.raw(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${INDEX} ON users (tenant_id, created_at) INCLUDE (id, name, username, email, phone)`);
  await knex.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${REPLACED}`);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
