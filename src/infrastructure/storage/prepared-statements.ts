import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * The hottest statements (a refresh finds its token, then rotates it) as named prepared
 * statements: PostgreSQL parses and plans each once per connection instead of on every request,
 * and the request carries only the statement's name and values. On two cores PostgreSQL shares
 * the CPU with Gatehouse, so its parse and plan time is Gatehouse's throughput.
 *
 * A prepared statement must name its columns, never `*`: a migration that adds a column while
 * an older process keeps the statement prepared would make PostgreSQL refuse it ("cached plan
 * must not change result type").
 *
 * Only on a PostgreSQL server (openDatabase marks it): the embedded PGlite passes protocol
 * messages on one by one, and its single session is better left with unnamed statements. In a
 * transaction the statement runs through the transaction's connection as knex would.
 */
const PREPARING = new WeakSet<Knex>();

/** openDatabase: this knex talks to a PostgreSQL server, where named statements are kept per connection. */
export function allowPreparedStatements(knex: Knex): void {
  PREPARING.add(knex);
}

/** Whether `knex` keeps named statements (a PostgreSQL server, outside a transaction). */
export function usesPreparedStatements(knex: Knex): boolean {
  return PREPARING.has(knex);
}

export interface PreparedStatement {
  /** Unique per statement text: PostgreSQL refuses one name for two texts on one connection. */
  name: string;
  /** With `?` placeholders, as knex.raw takes them. */
  sql: string;
}

interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

interface PoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

export async function runPrepared<Row>(knex: Knex, statement: PreparedStatement, values: readonly unknown[]): Promise<{ rows: Row[]; rowCount: number }> {
  if (!PREPARING.has(knex)) {
    const result = await knex.raw<{ rows: Row[]; rowCount: number }>(statement.sql, values as Knex.RawBinding[]);
    return { rows: result.rows, rowCount: result.rowCount };
  }
  const client = knex.client as unknown as PoolClient;
  const connection = await client.acquireConnection();
  try {
    // What knex reports for every statement it sends: the round-trip metric and tests count it.
    knex.emit('query', { sql: statement.sql, bindings: values, method: 'raw', prepared: statement.name });
    const result = await connection.query({ name: statement.name, text: numbered(statement.sql), values: values as unknown[] });
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * A knex query (of one shape: its text fixed, only its values varying) as a prepared statement
 * named after its text. For statements whose planning costs more than running them: the admin
 * search's `ILIKE` patterns make PostgreSQL estimate each one against the columns' statistics,
 * which on a large table took longer than the search itself. After a few runs PostgreSQL keeps
 * one plan for the statement and plans no more. Same rule: name the columns, never `*`.
 */
export async function runPreparedQuery<Row>(knex: Knex, prefix: string, query: Knex.QueryBuilder): Promise<Row[]> {
  const { sql, bindings } = query.toSQL();
  let name = NAMES.get(sql);
  if (!name) {
    name = `${prefix}_${createHash('sha256').update(sql).digest('hex').slice(0, 16)}`;
    NAMES.set(sql, name);
  }
  return (await runPrepared<Row>(knex, { name, sql }, bindings)).rows;
}

const NAMES = new Map<string, string>();
const NUMBERED = new Map<string, string>();

/** `?` placeholders as PostgreSQL's `$1, $2, …` (knex does the same for its own statements). */
function numbered(sql: string): string {
  let text = NUMBERED.get(sql);
  if (!text) {
    let index = 0;
    text = sql.replace(/\?(?!\?)/g, () => `$${++index}`);
    NUMBERED.set(sql, text);
  }
  return text;
}
