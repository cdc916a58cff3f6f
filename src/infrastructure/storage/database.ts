import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';

// node-pg returns bigint (int8) as strings; counts and epoch milliseconds fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface Database {
  knex: Knex;
  /** True when running on the embedded PGlite database. */
  embedded: boolean;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url?: string;
  /** Where the embedded database keeps its files; undefined keeps it in memory (tests). */
  embeddedDataDir?: string;
  poolMax?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = options.url;
  if (!url) {
    embedded = await startEmbeddedPostgres(options.embeddedDataDir);
    url = embedded.url;
  }
  const knex = knexFactory({
    client: 'pg',
    connection: url,
    // PGlite executes one statement at a time in one session, and its socket server passes on
    // each protocol message as it comes: two connections' extended-protocol queries (parse,
    // bind, execute) can interleave there and bind one's values to the other's statement. One
    // connection keeps every query whole; a bigger pool would only queue inside PGlite anyway.
    pool: { min: 0, max: options.poolMax ?? (embedded ? 1 : 10) },
    acquireConnectionTimeout: 10_000,
  });
  return {
    knex,
    embedded: Boolean(embedded),
    async close() {
      await knex.destroy();
      await embedded?.stop();
    },
  };
}
