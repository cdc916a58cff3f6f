import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, SECRET_VARIABLES, loadConfig, loadKeysCommandConfig, loadMigrationConfig } from './config.js';

const productionBase = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://db/gatehouse',
  ISSUER: 'https://id.example.com',
  COOKIE_KEYS: 'k'.repeat(16) + 'abcdefghijklmnopqrstuvwxyz',
  JWKS: JSON.stringify({ keys: [{ kty: 'RSA', d: 'x', n: 'y', e: 'AQAB' }] }),
  AWS_REGION: 'eu-west-1',
  EMAIL_FROM: 'Gatehouse <no-reply@example.com>',
};

function failure(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  describe('WEB_CONCURRENCY', () => {
    it('is one per core with PostgreSQL and real delivery, and 1 with the embedded database or the dev outbox', () => {
      const aws = { DATABASE_URL: 'postgres://db/gatehouse', AWS_REGION: 'eu-west-1', EMAIL_FROM: 'a@example.com' };
      expect(loadConfig(aws).webConcurrency).toBe(availableParallelism());
      expect(loadConfig({}).webConcurrency).toBe(1);
      expect(loadConfig({ DATABASE_URL: 'postgres://db/gatehouse' }).webConcurrency).toBe(1);
      expect(loadConfig({ ...aws, WEB_CONCURRENCY: '3' }).webConcurrency).toBe(3);
      expect(loadConfig({ DATABASE_URL: 'postgres://db/gatehouse', WEB_CONCURRENCY: '2' }).webConcurrency).toBe(2);
    });

    it('refuses more than one process on the embedded database, and nonsense', () => {
      expect(failure({ WEB_CONCURRENCY: '2' })).toMatch(/WEB_CONCURRENCY.*embedded database/);
      expect(failure({ DATABASE_URL: 'postgres://db/gatehouse', WEB_CONCURRENCY: '0' })).toMatch(/WEB_CONCURRENCY/);
      expect(failure({ DATABASE_URL: 'postgres://db/gatehouse', WEB_CONCURRENCY: 'many' })).toMatch(/WEB_CONCURRENCY/);
    });
  });

  it('gives the embedded defaults of DESIGN §2', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, issuer: 'http://localhost:3000', databaseUrl: undefined, redisUrl: undefined, delivery: 'outbox', bcryptCost: 12, seedDemo: true, migrateOnStart: true, trustProxy: 0, logLevel: 'info' });
  });

  it('bounds every wait on storage and the shutdown by default, and takes other bounds', () => {
    expect(loadConfig({})).toMatchObject({
      timeouts: { databaseStatementMs: 3000, databaseAcquireMs: 2000, databaseConnectMs: 2000, redisCommandMs: 1000 },
      shutdownTimeoutMs: 25000,
    });
    const tuned = loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '10000', REDIS_COMMAND_TIMEOUT_MS: '250', SHUTDOWN_TIMEOUT_MS: '55000' });
    expect(tuned.timeouts).toMatchObject({ databaseStatementMs: 10000, redisCommandMs: 250 });
    expect(tuned.shutdownTimeoutMs).toBe(55000);
    expect(failure({ DATABASE_ACQUIRE_TIMEOUT_MS: '0' })).toBe('DATABASE_ACQUIRE_TIMEOUT_MS: must be between 100 and 600000');
    expect(failure({ SHUTDOWN_TIMEOUT_MS: 'soon' })).toBe('SHUTDOWN_TIMEOUT_MS: must be a whole number');
  });

  it('runs the cleanup hourly unless told another interval, or never (a scheduled job runs it)', () => {
    expect(loadConfig({}).cleanupIntervalMinutes).toBe(60);
    expect(loadConfig({ CLEANUP_INTERVAL_MINUTES: '0' }).cleanupIntervalMinutes).toBe(0);
    expect(loadConfig({ CLEANUP_INTERVAL_MINUTES: '15' }).cleanupIntervalMinutes).toBe(15);
    expect(failure({ CLEANUP_INTERVAL_MINUTES: '20000' })).toBe('CLEANUP_INTERVAL_MINUTES: must be between 0 and 10080');
    expect(failure({ CLEANUP_INTERVAL_MINUTES: 'hourly' })).toBe('CLEANUP_INTERVAL_MINUTES: must be a whole number');
  });

  it('turns the demo off by default with a real database, and AWS delivery on with a region', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y' }).seedDemo).toBe(false);
    expect(loadConfig({ AWS_REGION: 'eu-west-1' }).delivery).toBe('aws');
  });

  it('names the variable in one line when a value is bad', () => {
    expect(failure({ PORT: 'eighty' })).toBe('PORT: must be a whole number');
    expect(failure({ BCRYPT_COST: '40' })).toBe('BCRYPT_COST: must be between 4 and 31');
    expect(failure({ DATABASE_URL: 'mysql://x' })).toMatch(/^DATABASE_URL: /);
    expect(failure({ JWKS: '{nope' })).toMatch(/^JWKS: /);
    expect(failure({ BOOTSTRAP_OPERATOR_CLIENT_ID: 'op' })).toMatch(/^BOOTSTRAP_OPERATOR_CLIENT_SECRET: /);
  });

  it('accepts a safe production configuration', () => {
    expect(loadConfig(productionBase).production).toBe(true);
  });

  it.each([
    ['DATABASE_URL', { DATABASE_URL: '' }],
    ['SEED_DEMO', { SEED_DEMO: '1' }],
    ['DELIVERY', { DELIVERY: 'outbox' }],
    ['COOKIE_KEYS', { COOKIE_KEYS: '' }],
    ['JWKS', { JWKS: '' }],
    ['ISSUER', { ISSUER: 'http://id.example.com' }],
    ['BOOTSTRAP_OPERATOR_CLIENT_SECRET', { BOOTSTRAP_OPERATOR_CLIENT_ID: 'op', BOOTSTRAP_OPERATOR_CLIENT_SECRET: 'short' }],
  ])('refuses to start in production with an unsafe %s', (variable, override) => {
    expect(failure({ ...productionBase, ...override })).toMatch(new RegExp(`^${variable}: `));
  });
});

describe('secrets in files (NAME_FILE)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function secretFile(name: string, content: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  }

  it('reads every secret variable from the file its _FILE variant names, without the trailing newline', () => {
    const jwks = JSON.stringify({ keys: [{ kty: 'RSA', d: 'x', n: 'y', e: 'AQAB' }] });
    const config = loadConfig({
      COOKIE_KEYS_FILE: secretFile('cookie-keys', `${'a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ'},${'Z9y8X7w6V5u4T3s2R1q0PoNmLkJiHgFeDcBa'}\n`),
      JWKS_FILE: secretFile('jwks', `${jwks}\n`),
      DATABASE_URL_FILE: secretFile('database-url', 'postgres://gatehouse:p%40ss@db:5432/gatehouse\n'),
      REDIS_URL_FILE: secretFile('redis-url', 'redis://:pass@redis:6379\n'),
      BOOTSTRAP_OPERATOR_CLIENT_ID_FILE: secretFile('operator-id', 'operator\n'),
      BOOTSTRAP_OPERATOR_CLIENT_SECRET_FILE: secretFile('operator-secret', 'Xq3+/vB8=abcdefghijklmnopqrstuvwxyz0123\n'),
      AWS_ACCESS_KEY_ID_FILE: secretFile('aws-key-id', 'AKIAEXAMPLE\n'),
      AWS_SECRET_ACCESS_KEY_FILE: secretFile('aws-secret', 'wJalrXUtnFEMI/K7MDENG\n'),
      AWS_REGION: 'eu-west-1',
    });
    expect(config.cookieKeys).toEqual(['a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ', 'Z9y8X7w6V5u4T3s2R1q0PoNmLkJiHgFeDcBa']);
    expect(config.jwks).toEqual(JSON.parse(jwks));
    expect(config.databaseUrl).toBe('postgres://gatehouse:p%40ss@db:5432/gatehouse');
    expect(config.redisUrl).toBe('redis://:pass@redis:6379');
    expect(config.bootstrapOperator).toEqual({ clientId: 'operator', clientSecret: 'Xq3+/vB8=abcdefghijklmnopqrstuvwxyz0123' });
    expect(config.awsCredentials).toEqual({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG', sessionToken: undefined });
  });

  it('has a _FILE variant for every secret variable', () => {
    expect([...SECRET_VARIABLES].sort()).toEqual(
      ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'BOOTSTRAP_OPERATOR_CLIENT_ID', 'BOOTSTRAP_OPERATOR_CLIENT_SECRET', 'COOKIE_KEYS', 'DATABASE_URL', 'JWKS', 'KEY_ENCRYPTION_KEY', 'KEY_ENCRYPTION_KEY_PREVIOUS', 'REDIS_URL'].sort(),
    );
  });

  it('names the _FILE variable when the file is missing or empty, or when both forms are set', () => {
    expect(failure({ JWKS_FILE: path.join(dir, 'absent') })).toBe(`JWKS_FILE: cannot read ${path.join(dir, 'absent')} (ENOENT)`);
    expect(failure({ COOKIE_KEYS_FILE: secretFile('empty', '\n') })).toMatch(/^COOKIE_KEYS_FILE: .* is empty$/);
    expect(failure({ DATABASE_URL: 'postgres://a/b', DATABASE_URL_FILE: secretFile('db', 'postgres://c/d') })).toBe('DATABASE_URL_FILE: set either DATABASE_URL or DATABASE_URL_FILE, not both');
  });

  it('checks a value read from a file like one from the environment, and never prints it', () => {
    const message = failure({ DATABASE_URL_FILE: secretFile('bad-db', 'mysql://root:hunter2@db/x') });
    expect(message).toMatch(/^DATABASE_URL: /);
    expect(message).not.toContain('hunter2');
  });

  it('gives the migration only what it needs: the database address, from the environment or a file', () => {
    expect(loadMigrationConfig({ NODE_ENV: 'production', DATABASE_URL_FILE: secretFile('db-url', 'postgres://db/gatehouse\n') })).toMatchObject({ production: true, databaseUrl: 'postgres://db/gatehouse' });
    expect(() => loadMigrationConfig({ NODE_ENV: 'production' })).toThrow('DATABASE_URL: is required in production');
  });
});

describe('the production guard', () => {
  it.each(['prod', 'Production', 'PRODUCTION', 'production ', 'staging', 'dev'])('refuses NODE_ENV=%j with one line naming the variable', (value) => {
    const message = failure({ ...productionBase, NODE_ENV: value });
    expect(message).toMatch(/^NODE_ENV: must be production, development or test, exactly/);
    expect(message).not.toContain('\n');
    if (/^prod/i.test(value.trim())) expect(message).toMatch(/did you mean production\?$/);
  });

  it('refuses a near miss of NODE_ENV for migrations too', () => {
    expect(() => loadMigrationConfig({ NODE_ENV: 'Production', DATABASE_URL: 'postgres://db/x' })).toThrow(/^NODE_ENV: /);
  });

  it('runs unchecked as development or test, or with NODE_ENV unset', () => {
    for (const NODE_ENV of ['development', 'test', '']) expect(loadConfig({ NODE_ENV }).production).toBe(false);
  });

  it.each([
    ['the same character 32 times', 'x'.repeat(32)],
    ['a short unit repeated', 'cookie12'.repeat(4)],
    ['too little randomness', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab'],
    ['a placeholder', 'change-me-please-0123456789abcdefghij'],
  ])('refuses a cookie key made of %s', (_case, weak) => {
    expect(failure({ ...productionBase, COOKIE_KEYS: `${productionBase.COOKIE_KEYS},${weak}` })).toMatch(/^COOKIE_KEYS: key 2 .*openssl rand -base64 32$/);
  });

  it('refuses a weak bootstrap operator secret even when it is long', () => {
    expect(failure({ ...productionBase, BOOTSTRAP_OPERATOR_CLIENT_ID: 'op', BOOTSTRAP_OPERATOR_CLIENT_SECRET: 'abcdefghij'.repeat(4) })).toMatch(/^BOOTSTRAP_OPERATOR_CLIENT_SECRET: is one short sequence repeated/);
  });

  it('accepts keys and secrets from openssl rand, base64 characters included', () => {
    const config = loadConfig({ ...productionBase, EMAIL_FROM: 'no-reply@example.com', COOKIE_KEYS: 'mO1q8yGQ2n7Lk+Z3/4vXh0sRtJcWbE5dAfPuI6eNo9Y=,3f9a0c7e1b2d4f6a8c0e2b4d6f8a1c3e', BOOTSTRAP_OPERATOR_CLIENT_ID: 'op', BOOTSTRAP_OPERATOR_CLIENT_SECRET: 'Xq3+/vB8=kP2rT9wLm4ZsN7yCj1HdF6gQe0uA5oI' });
    expect(config.cookieKeys).toHaveLength(2);
  });

  it('requires EMAIL_FROM with AWS delivery in production, and checks its form whenever it is set', () => {
    const { EMAIL_FROM: _none, ...withoutSender } = { ...productionBase, EMAIL_FROM: undefined };
    expect(failure(withoutSender as Record<string, string>)).toBe('EMAIL_FROM: is required with DELIVERY=aws in production: the sender address verified in SES');
    expect(loadConfig({ ...productionBase, EMAIL_FROM: 'Gatehouse <no-reply@example.com>' }).emailFrom).toBe('Gatehouse <no-reply@example.com>');
    expect(failure({ EMAIL_FROM: 'Gatehouse' })).toMatch(/^EMAIL_FROM: must be an email address/);
    // Outside production the development sender stays the default.
    expect(loadConfig({}).emailFrom).toBe('Gatehouse <no-reply@gatehouse.localhost>');
  });

  it('keeps metrics off the public port', () => {
    expect(loadConfig({}).metricsPort).toBe(9464);
    expect(loadConfig({ METRICS_PORT: '0', PORT: '0' }).metricsPort).toBe(0);
    expect(failure({ PORT: '8080', METRICS_PORT: '8080' })).toBe('METRICS_PORT: must differ from PORT: metrics stay off the public port');
  });
});

describe('keys in the database (KEY_ENCRYPTION_KEY)', () => {
  const kek = Buffer.alloc(32, 7).toString('base64');
  const ring = { KEY_ENCRYPTION_KEY: kek, KEY_PUBLISH_SECONDS: '86400', SIGNING_KEY_RETENTION_SECONDS: '86400' };

  it('reads the key ring settings, with their defaults', () => {
    expect(loadConfig({ KEY_ENCRYPTION_KEY: kek }).keyRing).toMatchObject({ signingAlg: 'RS256', publishSeconds: 86_400, signingRetentionSeconds: 86_400, cookieRetentionSeconds: 400 * 86_400, refreshSeconds: 60 });
    expect(loadConfig({ KEY_ENCRYPTION_KEY: kek, SIGNING_KEY_ALG: 'EdDSA' }).keyRing?.signingAlg).toBe('EdDSA');
    expect(loadConfig({}).keyRing).toBeUndefined();
  });

  it('names the variable of a bad setting', () => {
    expect(failure({ KEY_ENCRYPTION_KEY: 'short' })).toBe('KEY_ENCRYPTION_KEY: must be 32 random bytes as base64 or hex: openssl rand -base64 32');
    expect(failure({ KEY_ENCRYPTION_KEY: kek, SIGNING_KEY_ALG: 'HS256' })).toMatch(/^SIGNING_KEY_ALG: must be one of RS256, ES256, EdDSA/);
    expect(failure({ KEY_ENCRYPTION_KEY: kek, KEY_PUBLISH_SECONDS: '60', KEY_REFRESH_SECONDS: '60' })).toMatch(/^KEY_PUBLISH_SECONDS: must be at least twice KEY_REFRESH_SECONDS/);
    expect(failure({ KEY_ENCRYPTION_KEY_PREVIOUS: kek })).toBe('KEY_ENCRYPTION_KEY: is required when KEY_ENCRYPTION_KEY_PREVIOUS is set');
  });

  it('needs neither JWKS nor COOKIE_KEYS in production, but refuses retention and publication shorter than an hour', () => {
    const { JWKS: _jwks, COOKIE_KEYS: _cookies, ...withoutKeys } = productionBase;
    expect(loadConfig({ ...withoutKeys, ...ring }).keyRing).toBeDefined();
    expect(failure({ ...withoutKeys, ...ring, SIGNING_KEY_RETENTION_SECONDS: '60' })).toMatch(/^SIGNING_KEY_RETENTION_SECONDS: must be at least 3600 in production/);
    expect(failure({ ...withoutKeys, ...ring, KEY_PUBLISH_SECONDS: '600' })).toMatch(/^KEY_PUBLISH_SECONDS: must be at least 3600 in production/);
  });

  it('gives the keys command the database and the ring, and requires the key-encryption key', () => {
    expect(loadKeysCommandConfig({ DATABASE_URL: 'postgres://db/x', KEY_ENCRYPTION_KEY: kek }).keyRing.publishSeconds).toBe(86_400);
    expect(() => loadKeysCommandConfig({ DATABASE_URL: 'postgres://db/x' })).toThrow('KEY_ENCRYPTION_KEY: is required');
  });
});
