import { allowPreparedStatements } from './prepared-statements.js';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { startDeadline } from './deadline.js';
import { StorageTimeoutError } from './storage-faults.js';

// node-pg returns bigint (int8) as strings; counts and epoch milliseconds fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface Database {
  knex: Knex;
  /** True when running on the embedded PGlite database. */
  embedded: boolean;
  /**
   * Runs `work` on a short-lived pool without statement timeouts (migrations: rewriting a big
   * table or waiting for another replica's migration lock may rightly take minutes).
   */
  withoutTimeouts<T>(work: (knex: Knex) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseTimeouts {
  statementMs: number;
  acquireMs: number;
  connectMs: number;
}

export interface DatabaseOptions {
  url?: string;
  /** Where the embedded database keeps its files; undefined keeps it in memory (tests). */
  embeddedDataDir?: string;
  poolMax?: number;
  /** Bounds on every wait for PostgreSQL; the embedded database lives in this process and gets none. */
  timeouts?: DatabaseTimeouts;
  /** Where the driver's own warnings go (a connection lost, a failed connect): the console otherwise. */
  warn?: (message: string) => void;
}

// A statement the server itself cancels (statement_timeout) answers with an error; this margin
// on top only matters when the server answers nothing at all (frozen, network gone).
const SILENCE_MARGIN_MS = 500;
// `end()` of a connection waits for the server to close its side, which a frozen one never does.
const CLOSE_WAIT_MS = 1_000;

/**
 * After PostgreSQL stopped answering (a statement got no answer at all, not even the server's
 * own cancel), the next requests would each wait out a timeout again. Instead they fail at once
 * (503, try again shortly) while one probe at a time asks the server, every half second, until
 * it answers again: a freeze costs only the requests that were waiting when it began.
 */
class SilenceBreaker {
  private silent = false;
  private probing?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly answers: () => Promise<boolean>) {}

  get open(): boolean {
    return this.silent;
  }

  trip(): void {
    if (this.silent || this.closed) return;
    this.silent = true;
    this.schedule();
  }

  stop(): void {
    this.closed = true;
    if (this.probing) clearTimeout(this.probing);
  }

  private schedule(): void {
    this.probing = setTimeout(() => {
      void this.answers().then((ok) => {
        if (this.closed) return;
        if (ok) this.silent = false;
        else this.schedule();
      });
    }, PROBE_EVERY_MS);
    this.probing.unref();
  }
}

const PROBE_EVERY_MS = 500;

class DatabaseNotAnswering extends Error {
  readonly storageFault = true;

  constructor() {
    super('PostgreSQL is not answering; waiting for it to come back');
    this.name = 'DatabaseNotAnswering';
  }
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = options.url;
  if (!url) {
    embedded = await startEmbeddedPostgres(options.embeddedDataDir);
    url = embedded.url;
  }
  const timeouts = embedded ? undefined : options.timeouts;
  const connection = (bounded: boolean): Knex.PgConnectionConfig => ({
    connectionString: url,
    ...(bounded && timeouts ? { statement_timeout: timeouts.statementMs, connectionTimeoutMillis: timeouts.connectMs } : {}),
    // Detects a peer that vanished without closing (a pulled network, a killed VM).
    keepAlive: true,
  });
  const breaker = timeouts ? new SilenceBreaker(() => answers(connection(true), timeouts)) : undefined;
  const knex = knexFactory({
    client: 'pg',
    connection: connection(true),
    // PGlite executes one statement at a time in one session, and its socket server passes on
    // each protocol message as it comes: two connections' extended-protocol queries (parse,
    // bind, execute) can interleave there and bind one's values to the other's statement. One
    // connection keeps every query whole; a bigger pool would only queue inside PGlite anyway.
    pool: {
      min: 0,
      max: options.poolMax ?? (embedded ? 1 : 10),
      ...(timeouts ? { createTimeoutMillis: timeouts.connectMs } : {}),
      afterCreate: (raw: pg.Client, done: (err: Error | null, connection: pg.Client) => void) => {
        if (timeouts && breaker) abandonWhenSilent(raw, timeouts.statementMs + SILENCE_MARGIN_MS, breaker);
        boundClose(raw);
        done(null, raw);
      },
    },
    acquireConnectionTimeout: timeouts?.acquireMs ?? 10_000,
    ...(options.warn ? { log: { warn: options.warn, error: options.warn, deprecate: options.warn, debug: () => undefined } } : {}),
  });
  if (breaker) {
    // Not even a wait for a pooled connection while the server is known not to answer.
    const client = knex.client as { acquireConnection(): Promise<unknown> };
    const acquire = client.acquireConnection.bind(client);
    client.acquireConnection = () => (breaker.open ? Promise.reject(new DatabaseNotAnswering()) : acquire());
  }
  if (!embedded) allowPreparedStatements(knex);
  return {
    knex,
    embedded: Boolean(embedded),
    async withoutTimeouts(work) {
      if (!timeouts) return work(knex);
      const unbounded = knexFactory({ client: 'pg', connection: connection(false), pool: { min: 0, max: 2 } });
      try {
        return await work(unbounded);
      } finally {
        await unbounded.destroy();
      }
    },
    async close() {
      breaker?.stop();
      await knex.destroy();
      await embedded?.stop();
    },
  };
}

type QueryCallback = (err: Error | null, result?: unknown) => void;

/**
 * A server that stops answering (frozen, or its network gone) never cancels a statement itself.
 * Past `ms` the statement fails with a storage fault and its connection is dropped: a late
 * answer must not be taken for the next statement's, and the pool must not hand it out again.
 * Knex discards a connection once it has emitted an error or ended (`__knex__disposed`).
 */
function abandonWhenSilent(raw: pg.Client, ms: number, breaker: SilenceBreaker): void {
  const query = raw.query as (...args: unknown[]) => unknown;
  const abandon = (err: Error) => {
    breaker.trip();
    (raw as unknown as { __knex__disposed?: unknown }).__knex__disposed = err;
    (raw as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  };
  (raw as unknown as { query: unknown }).query = function guardedQuery(this: pg.Client, ...args: unknown[]) {
    const callbackAt = args.findIndex((arg) => typeof arg === 'function');
    const config = args[0] as { submit?: unknown } | undefined;
    // Cursors and streams manage their own reads.
    if (config && typeof config === 'object' && typeof config.submit === 'function') return query.apply(this, args);
    if (breaker.open) {
      const err = new DatabaseNotAnswering();
      if (callbackAt >= 0) return void (args[callbackAt] as QueryCallback)(err);
      return Promise.reject(err);
    }
    if (callbackAt >= 0) {
      const callback = args[callbackAt] as QueryCallback;
      let settled = false;
      const cancel = startDeadline(ms, () => {
        if (settled) return;
        settled = true;
        const err = new StorageTimeoutError('PostgreSQL', ms);
        abandon(err);
        callback(err);
      });
      args[callbackAt] = (err: Error | null, result?: unknown) => {
        cancel();
        if (settled) return;
        settled = true;
        callback(err, result);
      };
      return query.apply(this, args);
    }
    return new Promise((resolve, reject) => {
      const cancel = startDeadline(ms, () => {
        const err = new StorageTimeoutError('PostgreSQL', ms);
        abandon(err);
        reject(err);
      });
      (query.apply(this, args) as Promise<unknown>).then(
        (result) => {
          cancel();
          resolve(result);
        },
        (err: unknown) => {
          cancel();
          reject(err);
        },
      );
    });
  };
}

/** Closing a connection cleanly waits for the server; a frozen one gets its socket cut instead. */
function boundClose(raw: pg.Client): void {
  const end = raw.end.bind(raw) as (callback?: (err?: Error) => void) => unknown;
  (raw as unknown as { end: unknown }).end = (callback?: (err?: Error) => void) => {
    const timer = setTimeout(() => (raw as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy(), CLOSE_WAIT_MS);
    timer.unref();
    const clear = () => clearTimeout(timer);
    if (callback) {
      return end((err?: Error) => {
        clear();
        callback(err);
      });
    }
    const ended = end() as Promise<void>;
    return ended.finally(clear);
  };
}

/** Whether the server answers a trivial statement within the bounds, on a connection of its own. */
async function answers(config: Knex.PgConnectionConfig, timeouts: DatabaseTimeouts): Promise<boolean> {
  const client = new pg.Client({ ...(config as pg.ClientConfig), query_timeout: timeouts.statementMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    await client.end();
    return true;
  } catch {
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    return false;
  }
}
