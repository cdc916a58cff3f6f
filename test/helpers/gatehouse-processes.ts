import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { GatehouseProcess } from '../../bench/support/gatehouse-process.js';
import { createScratchDatabase, freePort } from './test-gatehouse.js';

export interface ProcessFleet {
  /** The issuer every process shares (the first one's address, as a load balancer's would be). */
  issuer: string;
  /** The environment each process got, without its PORT. */
  env: Record<string, string>;
  processes: GatehouseProcess[];
  /** Starts one more process on the same storage (a replacement after a deploy). */
  add(label: string, port?: number): Promise<GatehouseProcess>;
  stop(): Promise<void>;
}

/**
 * Real Gatehouse processes (src/main.ts, stopped by signals) sharing one scratch database on
 * the PostgreSQL of TEST_DATABASE_URL (or `databaseUrl`), one Redis key prefix on TEST_REDIS_URL
 * (or `redisUrl`, or none) and one data directory (signing and cookie keys), as replicas behind
 * a load balancer share theirs. The first process migrates and seeds the demo before the others
 * start.
 */
export async function startProcessFleet(count: number, options: { env?: Record<string, string>; databaseUrl?: string; redisUrl?: string | null } = {}): Promise<ProcessFleet> {
  const scratch = options.databaseUrl ? undefined : await createScratchDatabase(process.env.TEST_DATABASE_URL!);
  const redisUrl = options.redisUrl === null ? undefined : (options.redisUrl ?? process.env.TEST_REDIS_URL);
  const prefix = `gh-fleet-${randomBytes(4).toString('hex')}:`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-fleet-'));
  const ports = [await freePort()];
  const issuer = `http://127.0.0.1:${ports[0]}`;
  const env: Record<string, string> = {
    DATABASE_URL: options.databaseUrl ?? scratch!.url,
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix } : {}),
    DATA_DIR: dataDir,
    ISSUER: issuer,
    BCRYPT_COST: '4',
    SEED_DEMO: '1',
    ...options.env,
  };
  const processes: GatehouseProcess[] = [];
  const fleet: ProcessFleet = {
    issuer,
    env,
    processes,
    async add(label, port) {
      const started = await GatehouseProcess.start(label, { ...env, PORT: String(port ?? (await freePort())) });
      processes.push(started);
      return started;
    },
    async stop() {
      await Promise.all(processes.map((p) => p.stop(15_000)));
      await scratch?.drop();
      if (redisUrl) await deleteKeys(redisUrl, prefix);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await fleet.add('gatehouse-1', ports[0]);
    for (let i = 2; i <= count; i++) await fleet.add(`gatehouse-${i}`);
  } catch (err) {
    await fleet.stop();
    throw err;
  }
  return fleet;
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // A Redis of the test's own may be gone already.
  } finally {
    redis.disconnect();
  }
}
