import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, SECRET_VARIABLES, loadConfig, loadMigrationConfig } from './config.js';

const productionBase = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://db/gatehouse',
  ISSUER: 'https://id.example.com',
  COOKIE_KEYS: 'k'.repeat(16) + 'abcdefghijklmnopqrstuvwxyz',
  JWKS: JSON.stringify({ keys: [{ kty: 'RSA', d: 'x', n: 'y', e: 'AQAB' }] }),
  AWS_REGION: 'eu-west-1',
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
  it('gives the embedded defaults of DESIGN §2', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, issuer: 'http://localhost:3000', databaseUrl: undefined, redisUrl: undefined, delivery: 'outbox', bcryptCost: 12, seedDemo: true, migrateOnStart: true, trustProxy: 0, logLevel: 'info' });
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
      ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'BOOTSTRAP_OPERATOR_CLIENT_ID', 'BOOTSTRAP_OPERATOR_CLIENT_SECRET', 'COOKIE_KEYS', 'DATABASE_URL', 'JWKS', 'REDIS_URL'].sort(),
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
