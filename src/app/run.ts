/** Starts Gatehouse from the environment (after src/main.ts checked the runtime). */
import type { AddressInfo } from 'node:net';
import { startGatehouse } from './gatehouse.js';
import { explainStartUpFailure } from './start-up-problems.js';
import { ConfigError, loadConfig } from '../infrastructure/config/config.js';
import { DEMO } from '../entrypoints/demo/demo-objects.js';
import { createLogger } from '../infrastructure/observability/logger.js';

let config;
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
const gatehouse = await startGatehouse(config, logger).catch((err: unknown) => {
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

const { port } = gatehouse.server.address() as AddressInfo;
logger.info({ issuer: config.issuer, port, metricsPort: (gatehouse.metricsServer.address() as AddressInfo).port, database: gatehouse.database.embedded ? 'embedded' : 'postgres', redis: Boolean(gatehouse.redis), delivery: config.delivery }, 'gatehouse listening');
if (config.seedDemo) {
  console.log(`
  Gatehouse is running at ${config.issuer}
  Open ${config.issuer}/ and choose "Sign in with the demo app".
  Demo users: ${DEMO.users.map((u) => u.username).join(', ')} (password "${DEMO.password}"), tenant "${DEMO.tenant.slug}".
  ${config.delivery === 'outbox' ? `Emails and SMS land in the dev outbox: ${config.issuer}/dev/outbox` : ''}
`);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining and stopping');
    // gatehouse.close() keeps to the shutdown timeout; this is the backstop should anything not.
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 2_000).unref();
    gatehouse.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  });
}
