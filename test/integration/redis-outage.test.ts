import { performance } from 'node:perf_hooks';
import * as oidc from 'openid-client';
import { OwnRedis } from '../../bench/support/own-redis.js';
import { waitUntil } from '../../bench/support/processes.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { createUser, OPERATOR_ENV, operatorToken } from '../helpers/admin-api.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient, signInWithCode, signInWithDevice } from '../helpers/relying-party.js';
import { startTestGatehouse, storageKinds, type TestGatehouse } from '../helpers/test-gatehouse.js';

const withPostgres = storageKinds().includes('postgres');
const PREFIX = 'gh-outage:';

/**
 * Redis only speeds Gatehouse up. A Redis server of the test's own is stopped (its data gone,
 * as after a crash without persistence), restarted, frozen and thawed under a running
 * Gatehouse: sign-ins, refreshes, client credentials and the device flow keep working from
 * PostgreSQL, lockout forgets nothing (locks set before, during and after), and Redis is used
 * again once it answers, without a restart.
 */
(withPostgres ? describe : describe.skip)('when Redis stops, freezes and comes back', () => {
  let redis: OwnRedis;
  let server: TestGatehouse;
  let mobile: oidc.Configuration;
  let downloader: oidc.Configuration;
  let integration: oidc.Configuration;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    server = await startTestGatehouse('postgres', { env: { ...OPERATOR_ENV, TRUST_PROXY: '1', REDIS_URL: redis.url, REDIS_KEY_PREFIX: PREFIX } });
    mobile = await discoverClient(server.issuer, DEMO.mobile.clientId);
    downloader = await discoverClient(server.issuer, DEMO.downloader.clientId);
    integration = await discoverClient(server.issuer, DEMO.integration.clientId, DEMO.integration.secret);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await redis?.destroy();
  }, 60_000);

  /** Every way in, each timed: a browser sign-in, its refresh, an integration's token, a device. */
  async function everyWayIn(): Promise<Record<string, number>> {
    const took: Record<string, number> = {};
    const time = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await work();
      took[name] = performance.now() - started;
      return result;
    };
    const { tokens } = await time('sign-in', () => signInWithCode(mobile, { username: 'alice', password: DEMO.password, redirectUri: `${server.issuer}${DEMO.callbackPath}` }));
    const refreshed = await time('refresh', () => oidc.refreshTokenGrant(mobile, tokens.refresh_token!));
    await time('userinfo', () => oidc.fetchUserInfo(mobile, refreshed.access_token, oidc.skipSubjectCheck));
    await time('client credentials', () => oidc.clientCredentialsGrant(integration));
    const device = await signInWithDevice(downloader, { username: 'alice', password: DEMO.password });
    expect(device.refresh_token).toBeDefined();
    return took;
  }

  /** The login form from `ip`, submitted once. */
  async function submitLogin(ip: string, username: string, password: string): Promise<{ status: number; page: string }> {
    const browser = new HttpBrowser();
    browser.headers['x-forwarded-for'] = ip;
    const url = oidc.buildAuthorizationUrl(mobile, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256', prompt: 'login' });
    const form = await browser.go(url.toString());
    const page = await browser.go(new URL(HttpBrowser.formAction(form, /\/login$/), server.issuer).toString(), { form: { username, password } }, `${server.issuer}${DEMO.callbackPath}`);
    return { status: browser.lastStatus, page };
  }

  async function lockOut(username: string, ip: string): Promise<string> {
    // A fresh token, as an integration asks again on a 401: access tokens kept in a Redis that
    // crashed are gone with it.
    const { password } = await createUser(server.issuer, await operatorToken(server.issuer), { username });
    for (let i = 0; i < 5; i++) await submitLogin(ip, username, `wrong-guess-${i}`);
    return password!;
  }

  const usesRedis = () => server.gatehouse.redis!.usable;
  let lockedBefore: { username: string; password: string };
  let lockedDuring: { username: string; password: string };
  /** An integration's access token issued while Redis was stopped: it lives in PostgreSQL. */
  let tokenOfTheOutage: string;

  it('stopped: every way in works from PostgreSQL; a lock set before the crash still holds, and new ones are set', async () => {
    lockedBefore = { username: `locked-before-${Date.now()}`, password: '' };
    lockedBefore.password = await lockOut(lockedBefore.username, '203.0.113.21');
    expect((await submitLogin('203.0.113.21', lockedBefore.username, lockedBefore.password)).status).toBe(429);

    await redis.stop();
    const took = await everyWayIn();
    for (const ms of Object.values(took)) expect(ms).toBeLessThan(3_000);

    expect((await submitLogin('203.0.113.21', lockedBefore.username, lockedBefore.password)).status).toBe(429);
    lockedDuring = { username: `locked-during-${Date.now()}`, password: '' };
    lockedDuring.password = await lockOut(lockedDuring.username, '203.0.113.22');
    expect((await submitLogin('203.0.113.22', lockedDuring.username, lockedDuring.password)).status).toBe(429);
    tokenOfTheOutage = (await oidc.clientCredentialsGrant(integration)).access_token;
  }, 60_000);

  it('back (empty, after the crash): used again without a restart; every lock still holds', async () => {
    await redis.startServer();
    await waitUntil(usesRedis, 10_000, 'Gatehouse using Redis again');
    const before = await redis.keyCount(PREFIX);
    await oidc.clientCredentialsGrant(integration);
    expect(await redis.keyCount(PREFIX)).toBeGreaterThan(before);
    expect((await submitLogin('203.0.113.21', lockedBefore.username, lockedBefore.password)).status).toBe(429);
    expect((await submitLogin('203.0.113.22', lockedDuring.username, lockedDuring.password)).status).toBe(429);
    // A token written to PostgreSQL during the outage is still found (Redis misses it), whether
    // the API says what kind it is or not, beside a token of today in Redis.
    const fresh = (await oidc.clientCredentialsGrant(integration)).access_token;
    for (const hint of [undefined, 'access_token', 'refresh_token']) {
      const [old, now] = await Promise.all([tokenOfTheOutage, fresh].map((token) => oidc.tokenIntrospection(integration, token, hint ? { token_type_hint: hint } : undefined)));
      expect([old!.active, now!.active]).toEqual([true, true]);
    }
  }, 30_000);

  it('frozen: every way in still works, slower at first, then from PostgreSQL while Redis is set aside', async () => {
    redis.freeze();
    let took: Record<string, number>;
    try {
      took = await everyWayIn();
    } finally {
      redis.thaw();
    }
    // At most one Redis command timeout (1 s) on the way, once Redis is set aside.
    for (const ms of Object.values(took)) expect(ms).toBeLessThan(3_000);
    await waitUntil(usesRedis, 10_000, 'Gatehouse using Redis again');
  }, 60_000);
});
