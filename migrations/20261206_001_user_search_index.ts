import type { Knex } from 'knex';
import { replaceIndexConcurrently } from './concurrent-index.js';

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
  await replaceIndexConcurrently(knex, INDEX, `ON users (tenant_id, created_at) INCLUDE (id, name, username, email, phone)`, REPLACED);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
