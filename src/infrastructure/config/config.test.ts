import { ConfigError, loadConfig } from './config.js';

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
