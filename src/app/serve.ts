/** One Gatehouse process: starts it, says where it listens, and drains it on SIGTERM/SIGINT (or a failure nothing handled). */
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import { startGatehouse } from './gatehouse.js';
import { explainStartUpFailure } from './start-up-problems.js';
import { printDemoWelcome } from './demo-welcome.js';
import type { GatehouseConfig } from '../infrastructure/config/config.js';
import type { Logger } from '../infrastructure/observability/logger.js';
import { READY_MESSAGE } from './process-cluster.js';
import { drainOnUnhandledFailures } from './unhandled-failures.js';

export async function serve(config: GatehouseConfig, logger: Logger): Promise<void> {
  // In a cluster the primary owns METRICS_PORT and asks each process for its figures.
  const inCluster = cluster.isWorker;
  const gatehouse = await startGatehouse(config, logger, { serveMetrics: !inCluster }).catch((err: unknown) => {
    // What a person can act on, in one line; the details stay in the log for whoever needs them.
    const explained = explainStartUpFailure(err, config);
    if (explained) {
      logger.debug({ err }, 'start-up failure');
      console.error(`gatehouse: cannot start: ${explained}`);
    } else {
      logger.fatal({ err }, 'gatehouse failed to start');
    }
    process.exit(1);
  });
  if (inCluster) {
    AggregatorRegistry.setRegistries([gatehouse.metrics.registry]);
    // Constructing one is what makes prom-client answer the primary's requests for figures.
    new AggregatorRegistry();
  }

  const { port } = gatehouse.server.address() as AddressInfo;
  const metricsPort = gatehouse.metricsServer ? (gatehouse.metricsServer.address() as AddressInfo).port : config.metricsPort;
  logger.info({ issuer: config.issuer, port, metricsPort, ...(inCluster ? { pid: process.pid } : {}), database: gatehouse.database.embedded ? 'embedded' : 'postgres', redis: Boolean(gatehouse.redis), delivery: config.delivery }, inCluster ? 'gatehouse process listening' : 'gatehouse listening');
  if (inCluster) process.send?.(READY_MESSAGE);
  else if (config.seedDemo) printDemoWelcome(config);

  let stopping = false;
  /** Stops taking connections, lets the requests under way finish, then exits with `exitCode`. */
  const drain = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    // gatehouse.close() keeps to the shutdown timeout; this is the backstop should anything not.
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 2_000).unref();
    gatehouse.close().then(
      () => process.exit(exitCode),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!stopping) logger.info({ signal }, 'draining and stopping');
      drain(0);
    });
  }
  drainOnUnhandledFailures(logger, drain);
}
