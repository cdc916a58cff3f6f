import { startGatehouse } from '../../src/app/gatehouse.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { createLogger } from '../../src/infrastructure/observability/logger.js';
import type { RunningServer } from './server-protocol.js';

/**
 * Gatehouse exactly as `npm start` composes it, configured from the given environment (never
 * from this process's own): the bench decides every setting, so a developer's shell cannot
 * change what is measured.
 */
export async function startGatehouseInstance(env: Record<string, string>): Promise<RunningServer> {
  const config = loadConfig(env);
  const gatehouse = await startGatehouse(config, createLogger(config.logLevel));
  const { port } = gatehouse.server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => gatehouse.close(),
  };
}
