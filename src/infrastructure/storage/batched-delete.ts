import type { Knex } from 'knex';

/** Rows per DELETE: short statements, so a cleanup never holds locks that sign-ins wait on. */
export const DELETE_BATCH = 5_000;

/**
 * Deletes the matching rows of `table` a batch at a time and returns how many went. By ctid, so
 * it works for tables with any key.
 */
export async function deleteInBatches(knex: Knex, table: string, where: (query: Knex.QueryBuilder) => Knex.QueryBuilder, batchSize = DELETE_BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = where(knex(table).select('ctid')).limit(batchSize);
    // `ctid = ANY(ARRAY(…))` deletes by tuple address (a TID scan), never a join over the table.
    const deleted = Number(await knex(table).whereRaw('ctid = ANY(ARRAY(?))', [batch]).delete());
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
