import type { Knex } from 'knex';

/** Keyset position: the (created_at, id) of the last row of the previous page. */
export interface Position {
  at: string;
  id: string;
}

/**
 * Orders a list by creation and continues after `after`. Compares on the millisecond a cursor
 * can carry (a JS Date): PostgreSQL keeps microseconds, and comparing those against a
 * millisecond cursor would repeat the last row of every page. Fetches one row more than the
 * limit so the caller knows whether another page follows.
 */
export function keysetPage<Q extends Knex.QueryBuilder>(query: Q, options: { createdColumn?: string; idColumn: string; limit: number; after?: Position }): Q {
  const created = `date_trunc('milliseconds', ${options.createdColumn ?? 'created_at'})`;
  query.orderByRaw(`${created}, ${options.idColumn}`).limit(options.limit + 1);
  if (options.after) query.whereRaw(`(${created}, ${options.idColumn}::text) > (?::timestamptz, ?)`, [options.after.at, options.after.id]);
  return query;
}
