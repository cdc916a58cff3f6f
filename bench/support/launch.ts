import type { Cleanup } from './cleanup.js';
import { freePort, ScratchStorage } from './scratch-storage.js';
import { ServerHandle } from './server-handle.js';
import type { BenchSettings } from './settings.js';
import { describeTarget, type Target } from './target.js';

export interface Launched {
  target: Target;
  server: ServerHandle;
  /** Gatehouse's GET /metrics (absent for bare oidc-provider). */
  metricsUrl?: string;
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
 * Gatehouse in its own process on real PostgreSQL and Redis (scratch database, own key prefix),
 * with the demo seeded and logging off (a log line per request would be measured too).
 */
export async function launchGatehouse(settings: BenchSettings, bcryptCost: number, cleanup: Cleanup): Promise<Launched> {
  const storage = await ScratchStorage.create(settings.adminDatabaseUrl, settings.redisUrl);
  const removeStorage = cleanup.add(`remove scratch storage ${storage.redisKeyPrefix}`, () => storage.remove());
  const port = await freePort();
  const metricsPort = await freePort();
  const server = await ServerHandle.start(`Gatehouse (BCRYPT_COST=${bcryptCost})`, {
    kind: 'gatehouse',
    env: {
      PORT: String(port),
      // A free port: two benches (or a bench beside a dev server) must not collide on 9464.
      METRICS_PORT: String(metricsPort),
      // The loopback address, not localhost: every request of the bench goes to 127.0.0.1.
      ISSUER: `http://127.0.0.1:${port}`,
      ...storage.env,
      SEED_DEMO: '1',
      BCRYPT_COST: String(bcryptCost),
      LOG_LEVEL: 'silent',
    },
  });
  const stopServer = cleanup.add(`stop Gatehouse on port ${port}`, () => server.stop());
  return {
    target: await describeTarget('gatehouse', server.origin),
    server,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    async dispose() {
      await stopServer();
      await removeStorage();
    },
  };
}
