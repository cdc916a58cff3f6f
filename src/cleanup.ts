import { ConfigError, loadMigrationConfig } from './infrastructure/config/config.js';
import { createLogger } from './infrastructure/observability/logger.js';
import { openDatabase } from './infrastructure/storage/database.js';
import { ExpiredDataCleanup } from './domain/maintenance/expired-data-cleanup.js';
import { ArtifactRepository } from './domain/sessions/artifact.repository.js';

/**
 * `node dist/src/cleanup.js` (`npm run cleanup`): deletes expired rows once and exits, what each
 * process otherwise does every CLEANUP_INTERVAL_MINUTES. For installations that set that to 0
 * and run the cleanup from a scheduled job (a Kubernetes CronJob at a quiet hour). The same
 * short batched statements as the processes' own runs, so it never holds locks for long.
 */
try {
  // Only DATABASE_URL (or DATABASE_URL_FILE) is read, as for migrations.
  const config = loadMigrationConfig();
  const logger = createLogger(config.logLevel);
  const database = await openDatabase({ url: config.databaseUrl, embeddedDataDir: config.dataDir });
  try {
    const deleted = await new ExpiredDataCleanup(database.knex, new ArtifactRepository(database.knex)).run();
    logger.info({ deleted }, 'expired data cleaned up');
  } finally {
    await database.close();
  }
} catch (err) {
  console.error(`gatehouse: cleanup failed: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
  process.exit(1);
}
