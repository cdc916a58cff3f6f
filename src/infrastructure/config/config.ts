import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { secretWeakness } from './secret-strength.js';
import { SIGNING_ALGS, type SigningAlg } from '../keys/key-generation.js';
import { parseKeyEncryptionKey } from '../keys/key-encryption.js';
import { LOG_LEVELS, VARIABLES } from './variables.js';

/**
 * The one typed configuration object, built from the environment once at start.
 * Each variable's meaning, default and bounds are declared in `variables.ts`, which
 * `docs/configuration.md` is written from; DESIGN §2 is the public contract.
 */
export interface GatehouseConfig {
  /**
   * `NODE_ENV`: `production` turns on the safety checks of DESIGN §2; `development` and `test`
   * (or unset) do not. Any other value, `prod` or `Production` included, refuses to start.
   */
  production: boolean;
  /** `PORT`: HTTP port (0 picks a free one, used by tests). */
  port: number;
  /** `METRICS_PORT`: port of `GET /metrics`, apart from the public port (0 picks a free one). */
  metricsPort: number;
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
  /**
   * `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (`AWS_SESSION_TOKEN`): static SES/SNS credentials.
   * Absent means the SDK's own chain (instance role, IRSA, shared files).
   */
  awsCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
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
  /**
   * `CLEANUP_INTERVAL_MINUTES` (60): how often each process deletes expired rows; 0 never (a
   * scheduled job runs `dist/src/cleanup.js` instead).
   */
  cleanupIntervalMinutes: number;
  /**
   * `WEB_CONCURRENCY`: how many Gatehouse processes serve the port together (Node's cluster:
   * connections are handed out in turn, nothing is sticky, every process reads the same
   * storage). Default one per core with `DATABASE_URL` and `DELIVERY=aws`, else 1: the embedded
   * database belongs to one process, and the dev outbox lists only its own process's messages.
   */
  webConcurrency: number;
  /**
   * `SSO_ENTRA_AUTHORITY`: where Microsoft Entra ID directories are found, for tenants that sign
   * in with Microsoft (`https://login.microsoftonline.com`; a national cloud's host instead).
   */
  ssoEntraAuthority: string;
  /**
   * `KEY_ENCRYPTION_KEY` (32 bytes, base64 or hex): signing and cookie keys live in the database,
   * sealed with it, and rotate without restarts (`npm run keys`); `JWKS`/`COOKIE_KEYS`, when set,
   * only seed an empty ring. Absent: the keys come from those variables, as they are.
   */
  keyRing?: KeyRingConfig;
}

export interface KeyRingConfig {
  keyEncryptionKey: Buffer;
  /** `KEY_ENCRYPTION_KEY_PREVIOUS`: still opens keys it sealed, until `keys reencrypt`. */
  previousKeyEncryptionKey?: Buffer;
  /** `SIGNING_KEY_ALG`: RS256 (default), ES256 or EdDSA: new signing keys and clients' default ID-token algorithm. */
  signingAlg: SigningAlg;
  /** `KEY_PUBLISH_SECONDS`: a new key is published this long before it signs (default a day). */
  publishSeconds: number;
  /** `SIGNING_KEY_RETENTION_SECONDS`: a replaced signing key verifies this long after (default a day). */
  signingRetentionSeconds: number;
  /** `COOKIE_KEY_RETENTION_SECONDS`: a replaced cookie key is accepted this long after (default 400 days, the longest cookie). */
  cookieRetentionSeconds: number;
  /** `KEY_REFRESH_SECONDS`: how often a replica re-reads the ring (default 60). */
  refreshSeconds: number;
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

/**
 * Variables that hold secrets. Each may instead name a file holding the value (`NAME_FILE`, e.g.
 * a Kubernetes Secret mounted as a volume): a secret in a file stays out of the process
 * environment, which child processes, crash reports and `/proc/<pid>/environ` expose.
 */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'REDIS_URL',
  'COOKIE_KEYS',
  'JWKS',
  'BOOTSTRAP_OPERATOR_CLIENT_ID',
  'BOOTSTRAP_OPERATOR_CLIENT_SECRET',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'KEY_ENCRYPTION_KEY',
  'KEY_ENCRYPTION_KEY_PREVIOUS',
] as const;

/**
 * The environment with every `NAME_FILE` replaced by `NAME` holding the file's content
 * (surrounding whitespace trimmed: files written by editors and `echo` end in a newline).
 */
export function withSecretFiles(env: Env, readFile: (file: string) => string = (file) => readFileSync(file, 'utf8')): Env {
  const resolved: Env = { ...env };
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      throw new ConfigError(`${name}_FILE`, `set either ${name} or ${name}_FILE, not both`);
    }
    let content: string;
    try {
      content = readFile(file);
    } catch (err) {
      throw new ConfigError(`${name}_FILE`, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    content = content.trim();
    if (content === '') throw new ConfigError(`${name}_FILE`, `${file} is empty`);
    resolved[name] = content;
  }
  return resolved;
}

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

/** A whole number within the declared bounds, the declared default when unset. */
const integer = ({ min, max, default: fallback }: { min: number; max: number; default: number }) =>
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

/**
 * Exactly `production`, `development` or `test`. A near miss (`prod`, `Production`) stops
 * start-up rather than being read either way: taken as development it would silently drop every
 * production check, and libraries that look for exactly `production` (Koa, the provider) would
 * still disagree with Gatehouse if it were taken as production.
 */
function isProduction(env: Env): boolean {
  const value = env.NODE_ENV;
  if (value === undefined || value === '' || value === 'development' || value === 'test') return false;
  if (value === 'production') return true;
  const hint = /^prod/i.test(value.trim()) ? '; did you mean production?' : '';
  throw new ConfigError('NODE_ENV', `must be production, development or test, exactly (got "${value.slice(0, 40)}")${hint}`);
}

export function loadConfig(environment: Env = process.env): GatehouseConfig {
  const env = withSecretFiles(environment);
  const production = isProduction(env);
  const port = read(env, 'PORT', integer(VARIABLES.PORT));
  const metricsPort = read(env, 'METRICS_PORT', integer(VARIABLES.METRICS_PORT));
  if (metricsPort !== 0 && metricsPort === port) throw new ConfigError('METRICS_PORT', 'must differ from PORT: metrics stay off the public port');
  const issuer = (read(env, 'ISSUER', url(['http:', 'https:'])) ?? `http://localhost:${port}`).replace(/\/$/, '');
  const databaseUrl = read(env, 'DATABASE_URL', url(['postgres:', 'postgresql:']));
  const redisUrl = read(env, 'REDIS_URL', url(['redis:', 'rediss:']));
  const awsRegion = env.AWS_REGION || undefined;
  const awsCredentials = readAwsCredentials(env);
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
    metricsPort,
    issuer,
    databaseUrl,
    redisUrl,
    redisKeyPrefix: env.REDIS_KEY_PREFIX ?? VARIABLES.REDIS_KEY_PREFIX.default,
    dataDir: path.resolve(env.DATA_DIR || VARIABLES.DATA_DIR.default),
    delivery,
    awsRegion,
    awsCredentials,
    emailFrom: readEmailFrom(env, production && delivery === 'aws'),
    bcryptCost: read(env, 'BCRYPT_COST', integer(VARIABLES.BCRYPT_COST)),
    bootstrapOperator: bootstrapId && bootstrapSecret ? { clientId: bootstrapId, clientSecret: bootstrapSecret } : undefined,
    cookieKeys,
    jwks: parseJwks(env.JWKS),
    seedDemo: read(env, 'SEED_DEMO', flag(!databaseUrl)),
    logLevel: read(env, 'LOG_LEVEL', z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).optional()) ?? VARIABLES.LOG_LEVEL.default,
    migrateOnStart: read(env, 'MIGRATE_ON_START', flag(VARIABLES.MIGRATE_ON_START.default)),
    trustProxy: read(env, 'TRUST_PROXY', integer(VARIABLES.TRUST_PROXY)),
    sesNotificationTopicArns: (env.SES_NOTIFICATION_TOPIC_ARNS ?? '').split(',').map((arn) => arn.trim()).filter(Boolean),
    snsTrustedUrlPrefix: read(env, 'SNS_TRUSTED_URL_PREFIX', url(['http:', 'https:'])),
    timeouts: {
      databaseStatementMs: read(env, 'DATABASE_STATEMENT_TIMEOUT_MS', integer(VARIABLES.DATABASE_STATEMENT_TIMEOUT_MS)),
      databaseAcquireMs: read(env, 'DATABASE_ACQUIRE_TIMEOUT_MS', integer(VARIABLES.DATABASE_ACQUIRE_TIMEOUT_MS)),
      databaseConnectMs: read(env, 'DATABASE_CONNECT_TIMEOUT_MS', integer(VARIABLES.DATABASE_CONNECT_TIMEOUT_MS)),
      redisCommandMs: read(env, 'REDIS_COMMAND_TIMEOUT_MS', integer(VARIABLES.REDIS_COMMAND_TIMEOUT_MS)),
    },
    shutdownTimeoutMs: read(env, 'SHUTDOWN_TIMEOUT_MS', integer(VARIABLES.SHUTDOWN_TIMEOUT_MS)),
    cleanupIntervalMinutes: read(env, 'CLEANUP_INTERVAL_MINUTES', integer(VARIABLES.CLEANUP_INTERVAL_MINUTES)),
    webConcurrency: readWebConcurrency(env, { embedded: !databaseUrl, outbox: delivery === 'outbox' }),
    ssoEntraAuthority: (read(env, 'SSO_ENTRA_AUTHORITY', url(['http:', 'https:'])) ?? VARIABLES.SSO_ENTRA_AUTHORITY.default).replace(/\/$/, ''),
    keyRing: readKeyRing(env),
  };
  if (delivery === 'aws' && !awsRegion) throw new ConfigError('AWS_REGION', 'is required when DELIVERY=aws');
  if (production) assertSafeForProduction(config);
  return config;
}

function readWebConcurrency(env: Env, storage: { embedded: boolean; outbox: boolean }): number {
  const fallback = storage.embedded || storage.outbox ? 1 : availableParallelism();
  const processes = read(env, 'WEB_CONCURRENCY', integer({ ...VARIABLES.WEB_CONCURRENCY, default: fallback }));
  if (processes > 1 && storage.embedded) throw new ConfigError('WEB_CONCURRENCY', 'must be 1 with the embedded database, which only one process can open (set DATABASE_URL to run more)');
  return processes;
}

function readKeyEncryptionKey(env: Env, name: string): Buffer | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const key = parseKeyEncryptionKey(raw);
  if (!key) throw new ConfigError(name, 'must be 32 random bytes as base64 or hex: openssl rand -base64 32');
  return key;
}

export function readKeyRing(env: Env): KeyRingConfig | undefined {
  const keyEncryptionKey = readKeyEncryptionKey(env, 'KEY_ENCRYPTION_KEY');
  const previousKeyEncryptionKey = readKeyEncryptionKey(env, 'KEY_ENCRYPTION_KEY_PREVIOUS');
  if (!keyEncryptionKey) {
    if (previousKeyEncryptionKey) throw new ConfigError('KEY_ENCRYPTION_KEY', 'is required when KEY_ENCRYPTION_KEY_PREVIOUS is set');
    return undefined;
  }
  const ring: KeyRingConfig = {
    keyEncryptionKey,
    previousKeyEncryptionKey,
    signingAlg: read(env, 'SIGNING_KEY_ALG', z.enum(SIGNING_ALGS, { message: `must be one of ${SIGNING_ALGS.join(', ')}` }).optional()) ?? VARIABLES.SIGNING_KEY_ALG.default,
    publishSeconds: read(env, 'KEY_PUBLISH_SECONDS', integer(VARIABLES.KEY_PUBLISH_SECONDS)),
    signingRetentionSeconds: read(env, 'SIGNING_KEY_RETENTION_SECONDS', integer(VARIABLES.SIGNING_KEY_RETENTION_SECONDS)),
    cookieRetentionSeconds: read(env, 'COOKIE_KEY_RETENTION_SECONDS', integer(VARIABLES.COOKIE_KEY_RETENTION_SECONDS)),
    refreshSeconds: read(env, 'KEY_REFRESH_SECONDS', integer(VARIABLES.KEY_REFRESH_SECONDS)),
  };
  // Every replica must have read a new key before any signs with it.
  if (ring.publishSeconds < 2 * ring.refreshSeconds) {
    throw new ConfigError('KEY_PUBLISH_SECONDS', `must be at least twice KEY_REFRESH_SECONDS (${ring.refreshSeconds}), so every replica knows a key before one signs with it`);
  }
  return ring;
}

/** `Name <address>` or a bare address; required when real mail leaves (production with SES). */
function readEmailFrom(env: Env, required: boolean): string {
  const value = env.EMAIL_FROM?.trim();
  if (!value) {
    if (required) throw new ConfigError('EMAIL_FROM', 'is required with DELIVERY=aws in production: the sender address verified in SES');
    return VARIABLES.EMAIL_FROM.default;
  }
  if (!/^([^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/.test(value)) {
    throw new ConfigError('EMAIL_FROM', 'must be an email address, optionally with a name: Gatehouse <no-reply@example.com>');
  }
  return value;
}

function readAwsCredentials(env: Env): GatehouseConfig['awsCredentials'] {
  const accessKeyId = env.AWS_ACCESS_KEY_ID || undefined;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY || undefined;
  if (!accessKeyId && !secretAccessKey) return undefined;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError(accessKeyId ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID', 'static AWS credentials need both the key id and the secret key');
  }
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

/** What `migrate` needs, and nothing else: the migration Job gets only the database's address. */
export interface MigrationConfig {
  production: boolean;
  databaseUrl?: string;
  dataDir: string;
  logLevel: string;
}

export function loadMigrationConfig(environment: Env = process.env): MigrationConfig {
  const env = withSecretFiles(environment);
  const production = isProduction(env);
  const databaseUrl = read(env, 'DATABASE_URL', url(['postgres:', 'postgresql:']));
  if (production && !databaseUrl) throw new ConfigError('DATABASE_URL', 'is required in production (the embedded database is for development)');
  return {
    production,
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR || VARIABLES.DATA_DIR.default),
    logLevel: read(env, 'LOG_LEVEL', z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).optional()) ?? VARIABLES.LOG_LEVEL.default,
  };
}

/** What `npm run keys` needs: the database and the key ring's settings. */
export interface KeysCommandConfig extends MigrationConfig {
  keyRing: KeyRingConfig;
}

export function loadKeysCommandConfig(environment: Env = process.env): KeysCommandConfig {
  const migration = loadMigrationConfig(environment);
  const keyRing = readKeyRing(withSecretFiles(environment));
  if (!keyRing) throw new ConfigError('KEY_ENCRYPTION_KEY', 'is required: keys live in the database only with it');
  return { ...migration, keyRing };
}

/** DESIGN §2: production refuses every development convenience. */
function assertSafeForProduction(config: GatehouseConfig): void {
  if (!config.databaseUrl) throw new ConfigError('DATABASE_URL', 'is required in production (the embedded database is for development)');
  if (config.seedDemo) throw new ConfigError('SEED_DEMO', 'must be off in production');
  if (config.delivery === 'outbox') throw new ConfigError('DELIVERY', 'must be aws in production (the outbox is for development)');
  if (!config.cookieKeys && !config.keyRing) throw new ConfigError('COOKIE_KEYS', 'is required in production (or KEY_ENCRYPTION_KEY, to keep keys in the database)');
  config.cookieKeys?.forEach((key, i) => {
    const weakness = secretWeakness(key);
    if (weakness) throw new ConfigError('COOKIE_KEYS', `key ${i + 1} ${weakness}; generate one with: openssl rand -base64 32`);
  });
  if (!config.jwks && !config.keyRing) throw new ConfigError('JWKS', 'is required in production (or KEY_ENCRYPTION_KEY, to keep keys in the database)');
  // ID tokens live an hour: a signing key must verify at least that long after it is replaced.
  if (config.keyRing && config.keyRing.signingRetentionSeconds < 3600) {
    throw new ConfigError('SIGNING_KEY_RETENTION_SECONDS', 'must be at least 3600 in production: ID tokens signed by a replaced key live an hour');
  }
  if (config.keyRing && config.keyRing.publishSeconds < 3600) {
    throw new ConfigError('KEY_PUBLISH_SECONDS', 'must be at least 3600 in production: relying parties cache JWKS');
  }
  if (!config.issuer.startsWith('https://')) throw new ConfigError('ISSUER', 'must be an https URL in production');
  if (!config.ssoEntraAuthority.startsWith('https://')) throw new ConfigError('SSO_ENTRA_AUTHORITY', 'must be an https URL in production');
  if (config.snsTrustedUrlPrefix) throw new ConfigError('SNS_TRUSTED_URL_PREFIX', 'must not be set in production (only SNS\'s own https hosts are trusted there)');
  const secret = config.bootstrapOperator?.clientSecret;
  if (secret !== undefined && (secret.length < 32 || new Set(secret).size < 10)) {
    throw new ConfigError('BOOTSTRAP_OPERATOR_CLIENT_SECRET', 'must be at least 32 random characters in production');
  }
  const weakness = secret === undefined ? undefined : secretWeakness(secret);
  if (weakness) throw new ConfigError('BOOTSTRAP_OPERATOR_CLIENT_SECRET', `${weakness}; generate one with: openssl rand -base64 32`);

}
