import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from '../../bench/support/free-port.js';
import { startGatehouse, type Gatehouse, type GatehouseOptions } from '../../src/app/gatehouse.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { openDatabase, type Database } from '../../src/infrastructure/storage/database.js';
import { migrateToLatest } from '../../migrations/migrator.js';
import type { DestinationStream } from 'pino';
import { createLogger } from '../../src/infrastructure/observability/logger.js';
import type { DevOutbox, OutboxEntry } from '../../src/infrastructure/courier/dev-outbox.js';
import { seedEmbeddedCluster } from './embedded-data-dir.js';

/** The storage combinations every shared suite runs against. */
export type StorageKind = 'embedded' | 'postgres' | 'postgres+redis';

/**
 * Real servers come from TEST_DATABASE_URL / TEST_REDIS_URL (CI sets both); without them only
 * the embedded default runs.
 */
export function storageKinds(): StorageKind[] {
  const kinds: StorageKind[] = ['embedded'];
  if (process.env.TEST_DATABASE_URL) kinds.push('postgres');
  if (process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL) kinds.push('postgres+redis');
  return kinds;
}

export interface TestGatehouse {
  issuer: string;
  /** Where GET /metrics is served (its own port). */
  metricsUrl(): string;
  storage: StorageKind;
  gatehouse: Gatehouse;
  /** The real PostgreSQL database (absent on the embedded one): another instance may share it. */
  databaseUrl?: string;
  /** Stops the server and starts it again on the same database, keys and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export { freePort };

/** A throw-away database on the real PostgreSQL server, dropped at stop. */
export async function createScratchDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A migrated database for tests below the HTTP layer, and how to be rid of it. */
export interface MigratedDatabase {
  database: Database;
  /** On the real server: the scratch database's URL (absent on the embedded one). */
  url?: string;
  /** Closes the database (again, if a test closed it) and drops the scratch one. */
  dispose(): Promise<void>;
}

/**
 * A scratch database on TEST_DATABASE_URL's server (`onServer`), or the embedded database in
 * memory, with every migration applied.
 */
export async function openMigratedDatabase(options: { onServer: boolean }): Promise<MigratedDatabase> {
  const scratch = options.onServer ? await createScratchDatabase(process.env.TEST_DATABASE_URL!) : undefined;
  const dataDir = scratch ? undefined : mkdtempSync(path.join(tmpdir(), 'gatehouse-test-'));
  if (dataDir) await seedEmbeddedCluster(dataDir);
  const database = await openDatabase({ url: scratch?.url, embeddedDataDir: dataDir });
  await migrateToLatest(database.knex, { embedded: database.embedded });
  return {
    database,
    url: scratch?.url,
    async dispose() {
      await database.close();
      await scratch?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startTestGatehouse(
  storage: StorageKind,
  options: { env?: Record<string, string>; gatehouse?: GatehouseOptions; sharedDatabase?: string; /** Embedded: an empty data directory, initialised as on a new machine (not a copy of an initialised cluster). */ emptyDataDir?: boolean; /** A PostgreSQL server of the test's own, instead of TEST_DATABASE_URL's. */ postgresUrl?: string; logDestination?: DestinationStream } = {},
): Promise<TestGatehouse> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-test-'));
  if (storage === 'embedded' && !options.env?.DATA_DIR && !options.emptyDataDir) await seedEmbeddedCluster(dataDir);
  // A second replica shares the first one's database (which the first one drops).
  const scratch = storage === 'embedded' ? undefined : options.sharedDatabase ? { url: options.sharedDatabase, drop: async () => undefined } : await createScratchDatabase(options.postgresUrl ?? process.env.TEST_DATABASE_URL!);
  const env: Record<string, string> = {
    PORT: String(port),
    // Suites run side by side: each takes a free metrics port.
    METRICS_PORT: '0',
    DATA_DIR: dataDir,
    BCRYPT_COST: '4',
    SEED_DEMO: '1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    ...(storage === 'postgres+redis' ? { REDIS_URL: process.env.TEST_REDIS_URL!, REDIS_KEY_PREFIX: `gh-test-${randomBytes(4).toString('hex')}:` } : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel, options.logDestination);
  const start = () => startGatehouse(config, logger, { devicePollIntervalSeconds: 1, ...options.gatehouse });

  const handle: TestGatehouse = {
    issuer: config.issuer,
    storage,
    databaseUrl: scratch?.url,
    gatehouse: await start(),
    metricsUrl: () => `http://127.0.0.1:${(handle.gatehouse.metricsServer!.address() as { port: number }).port}/metrics`,
    async restart() {
      await handle.gatehouse.close();
      handle.gatehouse = await start();
    },
    async stop() {
      await handle.gatehouse.close();
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** For suites whose behaviour does not depend on storage: the fullest combination available. */
export function fullestStorage(): StorageKind {
  return storageKinds().at(-1)!;
}

/**
 * For tests that count what a flood of parallel requests gets (tries, chains), not the load
 * shedding a slow, busy machine would otherwise show as 503: the server waits far longer than by
 * default for a pooled connection, a statement and a new connection. The last matters at a
 * burst's start: the pool opens its connections then, and one that takes past the default 2 s to
 * set up fails the request waiting for it at once (knex's pool passes a failed set-up on).
 */
export const PATIENT_STORAGE_ENV: Readonly<Record<string, string>> = {
  DATABASE_ACQUIRE_TIMEOUT_MS: '20000',
  DATABASE_STATEMENT_TIMEOUT_MS: '20000',
  DATABASE_CONNECT_TIMEOUT_MS: '20000',
};

type OutboxEmail = Extract<OutboxEntry, { channel: 'email' }>;

/** The emails a test instance's dev outbox delivered to `to` (with `subject`, only those), oldest first. */
export function emailsTo(server: TestGatehouse, to: string, subject?: string): OutboxEmail[] {
  return (server.gatehouse.courier as DevOutbox).list().filter((m): m is OutboxEmail => m.channel === 'email' && m.to === to && (subject === undefined || m.subject === subject));
}
