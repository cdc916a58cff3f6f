import { availableParallelism } from 'node:os';

/**
 * Everything a bench run can be told, read once from the environment. The defaults fit the
 * reference machine of DESIGN §9 (2 cores, PostgreSQL and Redis local) and keep the whole
 * `npm run bench` within about six minutes.
 */
export interface BenchSettings {
  /** `BENCH_SECONDS`: length of the measured window of every scenario. */
  seconds: number;
  /**
   * `BENCH_SIGN_IN_SECONDS`: window of the sign-in and bcrypt figures. A window of sign-ins holds
   * only about six a second on two cores at cost 12, so one sign-in more or less moves a 10-second
   * ratio by 1.5 %: three times the token window by default.
   */
  signInSeconds: number;
  /** `BENCH_WARMUP_SECONDS`: load before the window opens (JIT, pools, caches); not counted. */
  warmupSeconds: number;
  /** `BENCH_CONNECTIONS`: concurrent keep-alive connections of the token scenarios. */
  tokenConnections: number;
  /**
   * `BENCH_SIGN_IN_CONNECTIONS`: browsers signing in at once. Twice the cores by default, so the
   * bcrypt queue is never empty while a browser is between two of its requests.
   */
  signInConnections: number;
  /**
   * `BENCH_REFRESH_CHAINS`: independent refresh-token chains, dealt out to the connections.
   * Several per connection, so no grant collects thousands of rotations in seconds (no real app
   * does that) and per-grant bookkeeping does not grow into the figure. Not hundreds: bare
   * oidc-provider's in-memory adapter keeps only about its 1,000 newest entries, and with a few
   * hundred live chains it starts losing refresh tokens between two uses (400 invalid_grant).
   */
  refreshChains: number;
  /** `BCRYPT_COST`: work factor of the sign-in scenarios and of the raw bcrypt figure. */
  bcryptCost: number;
  /** Cores the raw bcrypt figure may use at once, as Gatehouse's own hasher bounds itself. */
  cores: number;
  /** `BENCH_PROCESSES`: Gatehouse's WEB_CONCURRENCY (default one per core, as in production). */
  processes: number;
  /**
   * `BENCH_PAIRS`: how many times each DESIGN §9 ratio is measured, bare oidc-provider and
   * Gatehouse back to back, alternating which goes first. A virtual machine's speed drifts by a
   * quarter over minutes: two targets measured minutes apart compare two machines.
   */
  pairs: number;
  /**
   * `BENCH_COLD_TOKENS`: refresh tokens seeded for the cold shape, each refreshed once (chains
   * an app refreshes once an hour, whose grant and user no cache holds). Enough for the peak and
   * the half-peak runs; 0 skips the shape.
   */
  coldTokens: number;
  /** `BENCH_SOAK_MINUTES`: after the figures, a memory soak this long (0: none; 30 for the figure). */
  soakMinutes: number;
  /** `BENCH_DATABASE_URL`: a PostgreSQL role allowed to create and drop databases. */
  adminDatabaseUrl: string;
  /** `BENCH_REDIS_URL`: Redis server; every run uses its own key prefix and removes its keys. */
  redisUrl: string;
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}: must be a whole number between ${min} and ${max}`);
  }
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const cores = Math.max(1, availableParallelism());
  const tokenConnections = whole(env, 'BENCH_CONNECTIONS', 10, 1, 1000);
  const settings: BenchSettings = {
    seconds: whole(env, 'BENCH_SECONDS', 10, 1, 3600),
    signInSeconds: whole(env, 'BENCH_SIGN_IN_SECONDS', 3 * whole(env, 'BENCH_SECONDS', 10, 1, 3600), 1, 3600),
    warmupSeconds: whole(env, 'BENCH_WARMUP_SECONDS', 3, 0, 600),
    tokenConnections,
    signInConnections: whole(env, 'BENCH_SIGN_IN_CONNECTIONS', 2 * cores, 1, 1000),
    refreshChains: whole(env, 'BENCH_REFRESH_CHAINS', 50, 1, 100_000),
    // Same bounds as Gatehouse's own BCRYPT_COST.
    bcryptCost: whole(env, 'BCRYPT_COST', 12, 4, 31),
    cores,
    processes: whole(env, 'BENCH_PROCESSES', cores, 1, 64),
    pairs: whole(env, 'BENCH_PAIRS', 2, 1, 10),
    coldTokens: whole(env, 'BENCH_COLD_TOKENS', 40_000, 0, 10_000_000),
    soakMinutes: whole(env, 'BENCH_SOAK_MINUTES', 0, 0, 24 * 60),
    adminDatabaseUrl: env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
  };
  if (settings.refreshChains < tokenConnections) {
    throw new Error('BENCH_REFRESH_CHAINS: needs at least one chain per connection (BENCH_CONNECTIONS)');
  }
  return settings;
}
