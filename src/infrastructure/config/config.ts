import path from 'node:path';
import { z } from 'zod';

/**
 * The one typed configuration object, built from the environment once at start.
 * Every key is documented where it is declared; DESIGN §2 is the public contract.
 */
export interface GatehouseConfig {
  /** `NODE_ENV`: `production` turns on the safety checks of DESIGN §2. */
  production: boolean;
  /** `PORT`: HTTP port (0 picks a free one, used by tests). */
  port: number;
  /** `ISSUER`: public issuer URL, `http://localhost:$PORT` by default. */
  issuer: string;
  /** `DATABASE_URL`: PostgreSQL; absent means the embedded PGlite database under `dataDir`. */
  databaseUrl?: string;
  /** `REDIS_URL`: Redis for short-lived state; absent means PostgreSQL holds it. */
  redisUrl?: string;
  /** `REDIS_KEY_PREFIX`: namespace of every Redis key (lets test suites share one server). */
  redisKeyPrefix: string;
  /** `DATA_DIR`: embedded database and development keys. */
  dataDir: string;
  /** `DELIVERY`: `aws` (SES email, SNS SMS) or `outbox` (dev outbox). */
  delivery: 'aws' | 'outbox';
  /** `AWS_REGION`: SES/SNS region. */
  awsRegion?: string;
  /** `EMAIL_FROM`: sender address of every email. */
  emailFrom: string;
  /** `BCRYPT_COST`: bcrypt work factor for passwords. */
  bcryptCost: number;
  /** `BOOTSTRAP_OPERATOR_CLIENT_ID`/`_SECRET`: operator client created idempotently at start. */
  bootstrapOperator?: { clientId: string; clientSecret: string };
  /** `COOKIE_KEYS`: comma-separated cookie signing keys (newest first); generated in `dataDir` in dev. */
  cookieKeys?: string[];
  /** `JWKS`: JSON `{ "keys": [...] }` private signing keys; generated in `dataDir` in dev. */
  jwks?: { keys: Record<string, unknown>[] };
  /** `SEED_DEMO`: seed the demo tenant, users and clients (on by default with the embedded database). */
  seedDemo: boolean;
  /** `LOG_LEVEL`: pino level. */
  logLevel: string;
  /** `MIGRATE_ON_START`: apply pending migrations at start (a Kubernetes Job sets it false). */
  migrateOnStart: boolean;
  /** `TRUST_PROXY`: number of trusted reverse proxies in front of Gatehouse (0 = none). */
  trustProxy: number;
  /** `SES_NOTIFICATION_TOPIC_ARNS`: comma-separated SNS topics whose SES bounce/complaint messages are accepted (empty: any topic). */
  sesNotificationTopicArns: string[];
  /**
   * `SNS_TRUSTED_URL_PREFIX`: outside production only, a URL prefix trusted like
   * https://sns.<region>.amazonaws.com/ for signing certificates and subscribe URLs (tests).
   */
  snsTrustedUrlPrefix?: string;
  /**
   * Time limits on the storage, so a frozen or overloaded database or Redis costs a request a
   * few seconds and a `503` with `Retry-After`, never a wait without end:
   * - `DATABASE_STATEMENT_TIMEOUT_MS` (3000): longest a PostgreSQL statement may run; the
   *   server cancels it, and a server that does not answer at all loses the connection.
   * - `DATABASE_ACQUIRE_TIMEOUT_MS` (2000): longest wait for a free pooled connection.
   * - `DATABASE_CONNECT_TIMEOUT_MS` (2000): longest wait for a new connection to be set up.
   * - `REDIS_COMMAND_TIMEOUT_MS` (1000): longest wait for a Redis answer; past it Redis is set
   *   aside and PostgreSQL answers until Redis responds again.
   * Migrations and the embedded database run without them.
   */
  timeouts: StorageTimeouts;
  /**
   * `SHUTDOWN_TIMEOUT_MS` (25000): on SIGTERM, how long requests in flight may take before the
   * remaining connections are cut and storage is closed; the process exits within it even when
   * a database does not answer. Fits Kubernetes' default 30 s grace period.
   */
  shutdownTimeoutMs: number;
}

export interface StorageTimeouts {
  databaseStatementMs: number;
  databaseAcquireMs: number;
  databaseConnectMs: number;
  redisCommandMs: number;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function read<T>(env: Env, name: string, schema: z.ZodType<T>): T {
  const raw = env[name] === '' ? undefined : env[name];
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(name, result.error.issues[0]?.message ?? 'invalid value');
  }
  return result.data;
}

const flag = (fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], { message: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['1', 'true', 'yes', 'on'].includes(v)));

const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .optional()
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .refine((n) => n >= min && n <= max, { message: `must be between ${min} and ${max}` });

const url = (protocols: string[]) =>
  z
    .string()
    .optional()
    .refine((v) => v === undefined || (URL.canParse(v) && protocols.includes(new URL(v).protocol)), {
      message: `must be a ${protocols.join(' or ')} URL`,
    });

function parseJwks(raw: string | undefined): GatehouseConfig['jwks'] {
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('JWKS', 'must be JSON of the form {"keys": [...]}');
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'object' && k && 'd' in k)) {
    throw new ConfigError('JWKS', 'must hold at least one private key: {"keys": [{"kty": ..., "d": ...}]}');
  }
  return { keys: keys as Record<string, unknown>[] };
}

export function loadConfig(env: Env = process.env): GatehouseConfig {
  const production = env.NODE_ENV === 'production';
  const port = read(env, 'PORT', integer(0, 65535, 3000));
  const issuer = (read(env, 'ISSUER', url(['http:', 'https:'])) ?? `http://localhost:${port}`).replace(/\/$/, '');
  const databaseUrl = read(env, 'DATABASE_URL', url(['postgres:', 'postgresql:']));
  const redisUrl = read(env, 'REDIS_URL', url(['redis:', 'rediss:']));
  const awsRegion = env.AWS_REGION || undefined;
  const delivery = read(env, 'DELIVERY', z.enum(['aws', 'outbox']).optional()) ?? (awsRegion ? 'aws' : 'outbox');
  const cookieKeys = env.COOKIE_KEYS ? env.COOKIE_KEYS.split(',').map((k) => k.trim()).filter(Boolean) : undefined;
  if (cookieKeys && cookieKeys.some((k) => k.length < 32)) {
    throw new ConfigError('COOKIE_KEYS', 'every key must be at least 32 characters');
  }
  const bootstrapId = env.BOOTSTRAP_OPERATOR_CLIENT_ID || undefined;
  const bootstrapSecret = env.BOOTSTRAP_OPERATOR_CLIENT_SECRET || undefined;
  if (Boolean(bootstrapId) !== Boolean(bootstrapSecret)) {
    throw new ConfigError(
      bootstrapId ? 'BOOTSTRAP_OPERATOR_CLIENT_SECRET' : 'BOOTSTRAP_OPERATOR_CLIENT_ID',
      'the bootstrap operator needs both a client id and a secret',
    );
  }

  const config: GatehouseConfig = {
    production,
    port,
    issuer,
    databaseUrl,
    redisUrl,
    redisKeyPrefix: env.REDIS_KEY_PREFIX ?? 'gatehouse:',
    dataDir: path.resolve(env.DATA_DIR || './data'),
    delivery,
    awsRegion,
    emailFrom: env.EMAIL_FROM || 'Gatehouse <no-reply@gatehouse.localhost>',
    bcryptCost: read(env, 'BCRYPT_COST', integer(4, 31, 12)),
    bootstrapOperator: bootstrapId && bootstrapSecret ? { clientId: bootstrapId, clientSecret: bootstrapSecret } : undefined,
    cookieKeys,
    jwks: parseJwks(env.JWKS),
    seedDemo: read(env, 'SEED_DEMO', flag(!databaseUrl)),
    logLevel: read(env, 'LOG_LEVEL', z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).optional()) ?? 'info',
    migrateOnStart: read(env, 'MIGRATE_ON_START', flag(true)),
    trustProxy: read(env, 'TRUST_PROXY', integer(0, 10, 0)),
    sesNotificationTopicArns: (env.SES_NOTIFICATION_TOPIC_ARNS ?? '').split(',').map((arn) => arn.trim()).filter(Boolean),
    snsTrustedUrlPrefix: read(env, 'SNS_TRUSTED_URL_PREFIX', url(['http:', 'https:'])),
    timeouts: {
      databaseStatementMs: read(env, 'DATABASE_STATEMENT_TIMEOUT_MS', integer(100, 600_000, 3_000)),
      databaseAcquireMs: read(env, 'DATABASE_ACQUIRE_TIMEOUT_MS', integer(100, 600_000, 2_000)),
      databaseConnectMs: read(env, 'DATABASE_CONNECT_TIMEOUT_MS', integer(100, 600_000, 2_000)),
      redisCommandMs: read(env, 'REDIS_COMMAND_TIMEOUT_MS', integer(50, 60_000, 1_000)),
    },
    shutdownTimeoutMs: read(env, 'SHUTDOWN_TIMEOUT_MS', integer(1_000, 600_000, 25_000)),
  };
  if (delivery === 'aws' && !awsRegion) throw new ConfigError('AWS_REGION', 'is required when DELIVERY=aws');
  if (production) assertSafeForProduction(config);
  return config;
}

/** DESIGN §2: production refuses every development convenience. */
function assertSafeForProduction(config: GatehouseConfig): void {
  if (!config.databaseUrl) throw new ConfigError('DATABASE_URL', 'is required in production (the embedded database is for development)');
  if (config.seedDemo) throw new ConfigError('SEED_DEMO', 'must be off in production');
  if (config.delivery === 'outbox') throw new ConfigError('DELIVERY', 'must be aws in production (the outbox is for development)');
  if (!config.cookieKeys) throw new ConfigError('COOKIE_KEYS', 'is required in production');
  if (!config.jwks) throw new ConfigError('JWKS', 'is required in production');
  if (!config.issuer.startsWith('https://')) throw new ConfigError('ISSUER', 'must be an https URL in production');
  if (config.snsTrustedUrlPrefix) throw new ConfigError('SNS_TRUSTED_URL_PREFIX', 'must not be set in production (only SNS\'s own https hosts are trusted there)');
  const secret = config.bootstrapOperator?.clientSecret;
  if (secret !== undefined && (secret.length < 32 || new Set(secret).size < 10)) {
    throw new ConfigError('BOOTSTRAP_OPERATOR_CLIENT_SECRET', 'must be at least 32 random characters in production');
  }
}
