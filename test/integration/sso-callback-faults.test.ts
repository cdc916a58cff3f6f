import { performance } from 'node:perf_hooks';
import * as oidc from 'openid-client';
import { OwnPostgres, postgresBin } from '../../bench/support/own-postgres.js';
import { OwnRedis } from '../../bench/support/own-redis.js';
import { sleep } from '../../bench/support/processes.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient } from '../helpers/relying-party.js';
import { freePort, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';
import { startUpstreamIdp, type UpstreamIdp } from '../helpers/upstream-idp.js';

// Needs PostgreSQL's server programs to run a server of its own (CI machines have them).
const canRunPostgres = Boolean(postgresBin()) && Boolean(process.env.TEST_DATABASE_URL);
const DIRECTORY = '0b0d7f3e-2a55-4bfe-8a4f-5c9a3b1e9d22';
const UPSTREAM_CLIENT = { client_id: 'gatehouse-at-upstream', client_secret: 'upstream-client-secret-0123456789' };
/** "About 5 s": PostgreSQL's statement timeout (3 s), the margin for a silent server, the answer. */
const BOUND_MS = 5_500;

/**
 * The organisation's sign-in comes back to Gatehouse (/sso/callback) while PostgreSQL or Redis
 * has frozen (SIGSTOP: connections open, nothing answers), each a server of the test's own. The
 * person is answered within seconds with a page that says what to do, never an error 500 or a
 * page that never loads; once the server answers again, the same sign-in completes.
 */
(canRunPostgres ? describe : describe.skip)('the organisation\'s sign-in coming back while storage is frozen', () => {
  let postgres: OwnPostgres;
  let redis: OwnRedis;
  let upstream: UpstreamIdp;
  let server: TestGatehouse;
  let web: oidc.Configuration;

  beforeAll(async () => {
    const port = await freePort();
    [postgres, redis, upstream] = await Promise.all([
      OwnPostgres.start(),
      OwnRedis.start(),
      startUpstreamIdp({
        directories: [{ tid: DIRECTORY, users: [{ oid: 'oid-fay', username: 'fay@fabrikam.test', email: 'fay@fabrikam.test', email_verified: true, name: 'Fay First' }] }],
        clients: [{ ...UPSTREAM_CLIENT, redirect_uris: [`http://localhost:${port}/sso/callback`] }],
      }),
    ]);
    server = await startTestGatehouse('postgres', {
      postgresUrl: postgres.url,
      env: { ...OPERATOR_ENV, PORT: String(port), REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'sso-faults:' },
    });
    web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    const operator = await operatorToken(server.issuer);
    expect((await adminCall(server.issuer, operator, 'POST', '/tenants', { slug: 'fabrikam', name: 'Fabrikam Field' })).status).toBe(201);
    const connection = { kind: 'oidc', issuer: upstream.issuerOf(DIRECTORY), display_name: 'Fabrikam sign-in', ...UPSTREAM_CLIENT, allowed_domains: ['fabrikam.test'], enabled: true, jit: true };
    expect((await adminCall(server.issuer, operator, 'PUT', '/tenants/fabrikam/sso', connection)).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    postgres?.thaw();
    redis?.thaw();
    await server?.stop();
    await Promise.all([postgres?.destroy(), redis?.destroy(), upstream?.close()]);
  }, 60_000);

  /** A person who chose the organisation's sign-in, signed in upstream and is on the way back. */
  async function backFromUpstream(): Promise<{ browser: HttpBrowser; callback: string }> {
    const browser = new HttpBrowser();
    const url = oidc.buildAuthorizationUrl(web, {
      redirect_uri: `${server.issuer}${DEMO.callbackPath}`,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const login = await browser.go(url.toString());
    // "Use your organisation's sign-in": a button of the login form with its own formaction.
    const ssoAction = /formaction="([^"]*\/sso)"/.exec(login)?.[1];
    expect(ssoAction).toBeDefined();
    await browser.go(new URL(ssoAction!, server.issuer).toString(), { form: { username: 'fay@fabrikam.test' } });
    // A page that moves on to the upstream by itself (Refresh), as a browser does after a form.
    const onward = /^0; url=(.+)$/.exec(browser.lastHeaders.get('refresh') ?? '')?.[1];
    expect(onward).toBeDefined();
    const upstreamPage = await browser.go(onward!);
    const callback = await browser.go(new URL(HttpBrowser.formAction(upstreamPage), browser.lastUrl).toString(), { form: { username: 'fay@fabrikam.test' } }, `${server.issuer}/sso/callback`);
    expect(callback).toMatch(/\/sso\/callback\?code=/);
    return { browser, callback };
  }

  /** Follows `url` in `browser` as far as it goes before the app's callback; how long it took. */
  async function timedGo(browser: HttpBrowser, url: string): Promise<{ ms: number; status: number; page: string; retryAfter: string | null; at: string }> {
    const started = performance.now();
    const page = await Promise.race([
      browser.go(url, {}, `${server.issuer}${DEMO.callbackPath}`),
      sleep(30_000).then(() => {
        throw new Error(`no answer to ${url} within 30 s`);
      }),
    ]);
    return { ms: performance.now() - started, status: browser.lastStatus, page, retryAfter: browser.lastHeaders.get('retry-after'), at: browser.lastUrl };
  }

  async function ready(): Promise<void> {
    const started = performance.now();
    while ((await fetch(`${server.issuer}/readyz`)).status !== 200) {
      if (performance.now() - started > 10_000) throw new Error('not ready 10 s after the fault ended');
      await sleep(50);
    }
  }

  /** Redis set aside during the freeze is taken back once it answers again (health checks). */
  async function usingRedisAgain(): Promise<void> {
    const started = performance.now();
    while (!server.gatehouse.redis!.usable) {
      if (performance.now() - started > 15_000) throw new Error('Redis not used again 15 s after it thawed');
      await sleep(50);
    }
  }

  /** `work` while `server` is frozen; thawed whatever happens. */
  async function whileFrozen<T>(server: { freeze(): void; thaw(): void }, work: () => Promise<T>): Promise<T> {
    server.freeze();
    try {
      return await work();
    } finally {
      server.thaw();
    }
  }

  it('PostgreSQL frozen: a page saying to try again in a moment, and trying again signs the person in', async () => {
    const { browser, callback } = await backFromUpstream();
    const during = await whileFrozen(postgres, () => timedGo(browser, callback));
    expect(during.ms).toBeLessThan(BOUND_MS);
    expect(during).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
    expect(during.page).toMatch(/briefly unavailable/i);
    await ready();
    // What the page says: try again (the browser's reload of the page it is on).
    const again = await timedGo(browser, during.at);
    expect(again.page).toMatch(new RegExp(`^${server.issuer}${DEMO.callbackPath}\\?code=`));
  }, 60_000);

  it('Redis frozen: a page saying the sign-in is out of reach for a moment (not expired), and the same sign-in completes once Redis answers', async () => {
    const { browser, callback } = await backFromUpstream();
    const during = await whileFrozen(redis, () => timedGo(browser, callback));
    expect(during.ms).toBeLessThan(BOUND_MS);
    // The sign-in's state lives in Redis: while Redis is set aside it is out of reach (not
    // expired), and the page says so, with a way onward. Once Redis answers, trying again
    // finishes it.
    expect(during).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
    expect(during.page).toMatch(/cannot reach this sign-in just now/);
    expect(during.page).not.toMatch(/expired/);
    expect(during.page).toMatch(/<a [^>]*href=/);
    await usingRedisAgain();
    const again = await timedGo(browser, during.at);
    expect(again.page).toMatch(new RegExp(`^${server.issuer}${DEMO.callbackPath}\\?code=`));
  }, 60_000);
});
