import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Throw-away storage for one Gatehouse instance: its own database on the real PostgreSQL server,
 * its own Redis key prefix and data directory (signing and cookie keys). Nothing a developer
 * keeps on those servers is touched, and `remove()` leaves nothing behind: a run writes
 * hundreds of thousands of tokens, which would otherwise sit in Redis for their hour.
 */
export class ScratchStorage {
  private constructor(
    readonly databaseUrl: string,
    readonly redisUrl: string,
    readonly redisKeyPrefix: string,
    readonly dataDir: string,
    private readonly adminUrl: string,
    private readonly databaseName: string,
  ) {}

  static async create(adminUrl: string, redisUrl: string): Promise<ScratchStorage> {
    const id = randomBytes(6).toString('hex');
    const databaseName = `gatehouse_bench_${id}`;
    await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${databaseName}`));
    const url = new URL(adminUrl);
    url.pathname = `/${databaseName}`;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-'));
    return new ScratchStorage(url.toString(), redisUrl, `gatehouse-bench-${id}:`, dataDir, adminUrl, databaseName);
  }

  /** Environment entries that point Gatehouse at this storage. */
  get env(): Record<string, string> {
    return { DATABASE_URL: this.databaseUrl, REDIS_URL: this.redisUrl, REDIS_KEY_PREFIX: this.redisKeyPrefix, DATA_DIR: this.dataDir };
  }

  async remove(): Promise<void> {
    await withAdmin(this.adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${this.databaseName} WITH (FORCE)`));
    await deleteRedisKeys(this.redisUrl, this.redisKeyPrefix);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function withAdmin<T>(adminUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** Deletes every key under `prefix`, in batches (SCAN, then UNLINK, which frees memory off Redis's main thread). */
async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Versions of the servers measured against, for the report's header. */
export async function serverVersions(adminUrl: string, redisUrl: string): Promise<{ postgres: string; redis: string }> {
  const postgres = await withAdmin(adminUrl, async (admin) => (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const info = await redis.info('server');
    return { postgres: postgres.split(' ')[0]!, redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown' };
  } finally {
    redis.disconnect();
  }
}
