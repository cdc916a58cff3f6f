import { ConfigError, loadMigrationConfig } from './infrastructure/config/config.js';
import { createLogger } from './infrastructure/observability/logger.js';
import { openDatabase } from './infrastructure/storage/database.js';
import { migrateToLatest } from '../migrations/migrator.js';
import { JobQueue } from './infrastructure/queue/job-queue.js';

/** `npm run migrate`: applies pending migrations and exits (a Kubernetes Job runs this). */
try {
  // Only DATABASE_URL (or DATABASE_URL_FILE) is read: the Job that runs this holds no other secret.
  const config = loadMigrationConfig();
  const logger = createLogger(config.logLevel);
  const database = await openDatabase({ url: config.databaseUrl, embeddedDataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(database.knex, { embedded: database.embedded });
    // The outbox's job queue keeps its own schema; it is migrated here too.
    await JobQueue.migrate(database.knex);
    logger.info({ applied }, applied.length ? 'database migrated' : 'database already up to date');
  } finally {
    await database.close();
  }
} catch (err) {
  console.error(`gatehouse: migration failed: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
  process.exit(1);
}
