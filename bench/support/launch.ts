import type { Cleanup } from './cleanup.js';
import { ScratchStorage } from './scratch-storage.js';
import { freePort } from './free-port.js';
import { ServerHandle } from './server-handle.js';
import { GatehouseProcess } from './gatehouse-process.js';
import type { BenchSettings } from './settings.js';
import { describeTarget, type Target } from './target.js';

export interface Launched<Server = ServerHandle> {
  target: Target;
  server: Server;
  /** Gatehouse's GET /metrics (absent for bare oidc-provider). */
  metricsUrl?: string;
  /** Gatehouse's scratch database (absent for bare oidc-provider): the bench seeds it. */
  databaseUrl?: string;
  /** Stops the server and removes what it stored, before the run ends. */
  dispose(): Promise<void>;
}

/** Bare oidc-provider in its own process. */
export async function launchBare(cleanup: Cleanup): Promise<Launched> {
  const server = await ServerHandle.start('bare oidc-provider', { kind: 'bare', port: await freePort() });
  const dispose = cleanup.add('stop bare oidc-provider', () => server.stop());
  return { target: await describeTarget('bare', server.origin), server, dispose };
}

/**
 * Gatehouse as `npm start` runs it, on real PostgreSQL and Redis (scratch database, own key
 * prefix), with the demo seeded: BENCH_PROCESSES processes (WEB_CONCURRENCY) on one port.
 */
export async function launchGatehouse(settings: BenchSettings, bcryptCost: number, cleanup: Cleanup): Promise<Launched<GatehouseProcess>> {
  const storage = await ScratchStorage.create(settings.adminDatabaseUrl, settings.redisUrl);
  const removeStorage = cleanup.add(`remove scratch storage ${storage.redisKeyPrefix}`, () => storage.remove());
  const port = await freePort();
  const metricsPort = await freePort();
  // As operators run it (`npm start`): the built entry point, WEB_CONCURRENCY processes on the port.
  const server = await GatehouseProcess.start(`Gatehouse (${settings.processes} processes, BCRYPT_COST=${bcryptCost})`, {
    PORT: String(port),
    // A free port: two benches (or a bench beside a dev server) must not collide on 9464.
    METRICS_PORT: String(metricsPort),
    // The loopback address, not localhost: every request of the bench goes to 127.0.0.1.
    ISSUER: `http://127.0.0.1:${port}`,
    ...storage.env,
    SEED_DEMO: '1',
    // No hourly cleanup at a random moment of a measurement: its statements are not a request's.
    CLEANUP_INTERVAL_MINUTES: '0',
    BCRYPT_COST: String(bcryptCost),
    WEB_CONCURRENCY: String(settings.processes),
    // Start-up lines only: Gatehouse logs nothing per request at this level.
    LOG_LEVEL: 'info',
  });
  const stopServer = cleanup.add(`stop Gatehouse on port ${port}`, async () => void (await server.stop()));
  return {
    target: await describeTarget('gatehouse', server.origin),
    server,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    databaseUrl: storage.databaseUrl,
    async dispose() {
      await stopServer();
      await removeStorage();
    },
  };
}
