import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/** DESIGN §8: stopping (SIGTERM) lets requests in flight finish, and takes no new ones. */
describe('graceful shutdown', () => {
  let server: TestGatehouse;
  let stopped = false;

  beforeAll(async () => {
    // A real bcrypt cost, so a sign-in is still running when the stop begins.
    server = await startTestGatehouse(fullestStorage(), { env: { BCRYPT_COST: '12' } });
  });
  afterAll(async () => {
    if (!stopped) await server?.stop();
  });

  it('finishes a sign-in in flight while stopping, then refuses new connections', async () => {
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    const browser = new HttpBrowser();
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const login = await browser.go(url.toString());
    const action = new URL(HttpBrowser.formAction(login, /login$/), server.issuer).toString();

    const inFlight = fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(browser) },
      body: new URLSearchParams({ username: 'alice', password: DEMO.password }),
    });
    await new Promise((r) => setTimeout(r, 30));
    // What SIGTERM does (src/main.ts); the test's own clean-up (dropping its database) follows.
    const stopping = server.stop().finally(() => (stopped = true));

    const answer = await inFlight;
    expect(answer.status).toBe(303);
    await stopping;
    await expect(fetch(`${server.issuer}/healthz`)).rejects.toThrow();
  });
});

function cookieHeader(browser: HttpBrowser): string {
  return [...(browser as unknown as { cookies: Map<string, string> }).cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}
