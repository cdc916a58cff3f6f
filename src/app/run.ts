/**
 * Starts Gatehouse from the environment (after src/main.ts checked the runtime): one process,
 * or with WEB_CONCURRENCY above 1 a cluster of them sharing the port.
 */
import cluster from 'node:cluster';
import { ConfigError, loadConfig, type GatehouseConfig } from '../infrastructure/config/config.js';
import { createLogger } from '../infrastructure/observability/logger.js';

let config: GatehouseConfig;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`gatehouse: cannot start: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger(config.logLevel);
if (config.webConcurrency > 1 && cluster.isPrimary) {
  const { runCluster } = await import('./process-cluster.js');
  await runCluster(config, logger);
} else {
  const { serve } = await import('./serve.js');
  await serve(config, logger);
}
