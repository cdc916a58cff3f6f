import { SIGNING_ALGS } from '../keys/key-generation.js';

/**
 * Every environment variable Gatehouse reads, declared once with its meaning and default.
 *
 * `loadConfig` takes its defaults and bounds from here, and `docs/configuration.md` is written
 * from here (`npm run docs:config`; a test fails when the committed file differs), so the
 * documentation cannot drift from what the code does. A variable the code reads but does not
 * declare fails `variables.test.ts`.
 */

export const VARIABLE_GROUPS = {
  server: 'Server',
  storage: 'Storage',
  limits: 'Limits on every wait',
  keys: 'Keys and passwords',
  operator: 'Operator and demo',
  delivery: 'Email and SMS',
  sso: 'Single sign-on',
  runtime: 'Process and image',
} as const;

export type VariableGroup = keyof typeof VARIABLE_GROUPS;

export interface VariableDeclaration {
  group: VariableGroup;
  /** What the variable is for, in Markdown (one or two sentences). */
  meaning: string;
  /** The value applied when the variable is unset; absent when there is none. */
  default?: string | number | boolean;
  /** What unset means where that is not one value (computed from another variable, or "none: …"). */
  whenUnset?: string;
  /** Whole numbers: the accepted range. */
  min?: number;
  max?: number;
  /** The accepted values, where the variable is one of a list. */
  values?: readonly string[];
  /** Production refuses the development default or insists on something (see `assertSafeForProduction`). */
  production?: string;
}

/** Kept apart from the declarations so `values` below can name them. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const FLAG_VALUES = ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'] as const;
const DAY = 86_400;

export const VARIABLES = {
  // ---- server
  NODE_ENV: {
    group: 'server',
    meaning: '`production` turns on the safety checks (the "in production" column); `development` and `test` do not. Any other value, `prod` or `Production` included, stops start-up.',
    values: ['production', 'development', 'test'],
    whenUnset: 'development',
  },
  PORT: { group: 'server', meaning: 'The public HTTP port: the provider, hosted pages, admin API, `/healthz` and `/readyz`. `0` picks a free one.', default: 3000, min: 0, max: 65535 },
  WEB_CONCURRENCY: {
    group: 'server',
    meaning: 'How many Gatehouse processes serve the port together (Node\'s cluster: connections handed out in turn, nothing sticky, a process that dies is replaced, `METRICS_PORT` answers for all of them). Inside a container Node sees the node\'s cores, not the pod\'s share: set it to the whole CPUs requested.',
    whenUnset: 'one per core with `DATABASE_URL` and `DELIVERY=aws`; otherwise 1 (the embedded database and the dev outbox belong to one process)',
    min: 1,
    max: 64,
  },
  METRICS_PORT: { group: 'server', meaning: 'Port of `GET /metrics` (Prometheus), kept off the public port; must differ from `PORT`. `0` picks a free one.', default: 9464, min: 0, max: 65535 },
  ISSUER: {
    group: 'server',
    meaning: 'The public issuer URL apps discover Gatehouse by (`$ISSUER/.well-known/openid-configuration`); a trailing slash is dropped.',
    whenUnset: '`http://localhost:$PORT`',
    production: 'must be `https://`',
  },
  TRUST_PROXY: { group: 'server', meaning: 'Number of reverse proxies in front of Gatehouse (an ingress is 1): client addresses come from `X-Forwarded-For`.', default: 0, min: 0, max: 10 },
  LOG_LEVEL: { group: 'server', meaning: 'Level of the JSON logs (pino).', default: 'info', values: LOG_LEVELS },

  // ---- storage
  DATABASE_URL: {
    group: 'storage',
    meaning: 'PostgreSQL (`postgres://` or `postgresql://`), for everything durable.',
    whenUnset: 'none: the embedded database (PGlite) under `DATA_DIR`',
    production: 'required',
  },
  REDIS_URL: { group: 'storage', meaning: 'Redis (`redis://`, or `rediss://` for TLS) for short-lived state: access tokens, codes, sign-ins in progress, counters.', whenUnset: 'none: PostgreSQL holds that state too' },
  REDIS_KEY_PREFIX: { group: 'storage', meaning: 'Namespace of every Redis key, so an ACL can restrict Gatehouse to `~<prefix>*` or several installations can share a server.', default: 'gatehouse:' },
  CLEANUP_INTERVAL_MINUTES: { group: 'storage', meaning: 'How often each process deletes expired rows (tokens, sessions, codes, rate-limit marks, events past their retention), in minutes; the first run comes at a random point of the first interval. 0: never, for installations that run `node dist/src/cleanup.js` from a scheduled job instead.', default: 60, min: 0, max: 10_080 },
  DATA_DIR: { group: 'storage', meaning: 'Directory of the embedded database and of the keys generated in development (locked by the process using it).', default: './data' },
  MIGRATE_ON_START: { group: 'storage', meaning: 'Apply pending migrations at start, under a PostgreSQL advisory lock. Set it to false where a Kubernetes Job runs `npm run migrate`.', default: true, values: FLAG_VALUES },

  // ---- limits
  DATABASE_STATEMENT_TIMEOUT_MS: { group: 'limits', meaning: 'Longest a PostgreSQL statement may run (milliseconds); the server cancels it, and a server that does not answer at all loses the connection. Migrations run without it.', default: 3000, min: 100, max: 600_000 },
  DATABASE_ACQUIRE_TIMEOUT_MS: { group: 'limits', meaning: 'Longest wait for a free pooled PostgreSQL connection (milliseconds).', default: 2000, min: 100, max: 600_000 },
  DATABASE_CONNECT_TIMEOUT_MS: { group: 'limits', meaning: 'Longest wait for a new PostgreSQL connection to be set up (milliseconds).', default: 2000, min: 100, max: 600_000 },
  REDIS_COMMAND_TIMEOUT_MS: { group: 'limits', meaning: 'Longest wait for a Redis answer (milliseconds); past it Redis is set aside and PostgreSQL answers until Redis responds again.', default: 1000, min: 50, max: 60_000 },
  SHUTDOWN_TIMEOUT_MS: { group: 'limits', meaning: 'On SIGTERM, how long requests in flight may take before the remaining connections are cut and storage is closed (milliseconds); fits Kubernetes\' default 30 s grace period.', default: 25_000, min: 1000, max: 600_000 },

  // ---- keys
  COOKIE_KEYS: {
    group: 'keys',
    meaning: 'Comma-separated cookie signing keys, newest first, each at least 32 characters (`openssl rand -base64 32`).',
    whenUnset: 'generated in `DATA_DIR` (development)',
    production: 'required (or `KEY_ENCRYPTION_KEY`); weak keys are refused',
  },
  JWKS: {
    group: 'keys',
    meaning: 'Private signing keys as JSON `{"keys": [...]}`.',
    whenUnset: 'generated in `DATA_DIR` (development)',
    production: 'required (or `KEY_ENCRYPTION_KEY`)',
  },
  KEY_ENCRYPTION_KEY: {
    group: 'keys',
    meaning: '32 bytes, base64 or hex (`openssl rand -base64 32`): signing and cookie keys live in the database, sealed with it, and rotate without restarts (`npm run keys`); `JWKS` and `COOKIE_KEYS`, when set, only seed an empty ring.',
    whenUnset: 'none: keys come from `JWKS` and `COOKIE_KEYS` as they are',
  },
  KEY_ENCRYPTION_KEY_PREVIOUS: { group: 'keys', meaning: 'The key-encryption key being replaced: still opens the keys it sealed until `npm run keys -- reencrypt`.', whenUnset: 'none' },
  SIGNING_KEY_ALG: { group: 'keys', meaning: 'With `KEY_ENCRYPTION_KEY`: the algorithm of new signing keys and clients\' default ID-token algorithm.', default: 'RS256', values: SIGNING_ALGS },
  KEY_PUBLISH_SECONDS: { group: 'keys', meaning: 'With `KEY_ENCRYPTION_KEY`: a new signing key is published this long before it signs; at least twice `KEY_REFRESH_SECONDS`.', default: DAY, min: 1, max: 30 * DAY, production: 'at least 3600' },
  SIGNING_KEY_RETENTION_SECONDS: { group: 'keys', meaning: 'With `KEY_ENCRYPTION_KEY`: a replaced signing key still verifies this long.', default: DAY, min: 1, max: 400 * DAY, production: 'at least 3600' },
  COOKIE_KEY_RETENTION_SECONDS: { group: 'keys', meaning: 'With `KEY_ENCRYPTION_KEY`: a replaced cookie key is still accepted this long (the longest cookie lives 400 days).', default: 400 * DAY, min: 1, max: 400 * DAY },
  KEY_REFRESH_SECONDS: { group: 'keys', meaning: 'With `KEY_ENCRYPTION_KEY`: how often a replica re-reads the key ring.', default: 60, min: 1, max: 3600 },
  BCRYPT_COST: { group: 'keys', meaning: 'bcrypt work factor of password hashes.', default: 12, min: 4, max: 31 },

  // ---- operator and demo
  BOOTSTRAP_OPERATOR_CLIENT_ID: {
    group: 'operator',
    meaning: 'Client id of the operator client created (or updated) at start; it gets admin-API tokens by `client_credentials` with scope `admin`. Needs `BOOTSTRAP_OPERATOR_CLIENT_SECRET`.',
    whenUnset: 'none: no operator client',
  },
  BOOTSTRAP_OPERATOR_CLIENT_SECRET: {
    group: 'operator',
    meaning: 'Secret of the bootstrap operator client.',
    whenUnset: 'none',
    production: 'at least 32 random characters',
  },
  SEED_DEMO: {
    group: 'operator',
    meaning: 'Seed the demo tenant, its users `admin` and `alice` and the demo clients (idempotent).',
    values: FLAG_VALUES,
    whenUnset: 'on with the embedded database, off with `DATABASE_URL`',
    production: 'must be off',
  },

  // ---- delivery
  DELIVERY: {
    group: 'delivery',
    meaning: '`aws` sends email through SES and SMS through SNS; `outbox` keeps them in the development outbox (`/dev/outbox`).',
    values: ['aws', 'outbox'],
    whenUnset: '`aws` when `AWS_REGION` is set, else `outbox`',
    production: 'must be `aws`',
  },
  AWS_REGION: { group: 'delivery', meaning: 'Region of SES and SNS; required with `DELIVERY=aws`.', whenUnset: 'none' },
  AWS_ACCESS_KEY_ID: { group: 'delivery', meaning: 'Static AWS credentials for SES and SNS, with `AWS_SECRET_ACCESS_KEY`.', whenUnset: 'none: the AWS SDK\'s own chain (instance role, IRSA, shared files)' },
  AWS_SECRET_ACCESS_KEY: { group: 'delivery', meaning: 'The secret of `AWS_ACCESS_KEY_ID`.', whenUnset: 'none' },
  AWS_SESSION_TOKEN: { group: 'delivery', meaning: 'Session token of temporary static AWS credentials.', whenUnset: 'none' },
  EMAIL_FROM: {
    group: 'delivery',
    meaning: 'Sender of every email: an address, optionally with a name (`Gatehouse <no-reply@example.com>`).',
    default: 'Gatehouse <no-reply@gatehouse.localhost>',
    production: 'required with `DELIVERY=aws`: the sender verified in SES',
  },
  SES_NOTIFICATION_TOPIC_ARNS: { group: 'delivery', meaning: 'Comma-separated SNS topics whose SES bounce and complaint notifications `/webhooks/ses` accepts.', whenUnset: 'none: any topic' },
  SNS_TRUSTED_URL_PREFIX: { group: 'delivery', meaning: 'A URL prefix trusted like `https://sns.<region>.amazonaws.com/` for signing certificates and subscribe URLs (tests).', whenUnset: 'none', production: 'must not be set' },

  // ---- single sign-on
  SSO_ENTRA_AUTHORITY: { group: 'sso', meaning: 'Where Microsoft Entra ID directories are found, for tenants that sign in with Microsoft (a national cloud\'s host instead).', default: 'https://login.microsoftonline.com', production: 'must be `https://`' },

  // ---- process and image (read outside loadConfig)
  UV_THREADPOOL_SIZE: { group: 'runtime', meaning: 'Size of libuv\'s thread pool, which runs bcrypt, DNS lookups and file reads; read once when the process starts.', whenUnset: 'the number of cores + 4, at least 8 (`npm start`); the image sets 16' },
  GATEHOUSE_REVISION: { group: 'runtime', meaning: 'The source revision shown by the `gatehouse_build_info` metric (the image sets it from its build argument).', default: 'unknown' },
} as const satisfies Record<string, VariableDeclaration>;

export type VariableName = keyof typeof VARIABLES;
