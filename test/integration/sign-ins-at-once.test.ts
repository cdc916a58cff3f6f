import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * A browser that is signed in and completes two sign-ins at the same moment (two tabs, two apps
 * asking the person to sign in again): each completed sign-in gives the browser session a new
 * identifier under the same uid. The second was refused by a unique index on that uid, and its
 * tab got a 500 instead of the app.
 */
describe('two sign-ins completing at once in one browser', () => {
  let server: TestGatehouse;
  let issuer: string;
  let config: oidc.Configuration;
  let redirectUri: string;
  const serverErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), {
      env: { LOG_LEVEL: 'warn' },
      logDestination: { write: (line: string) => void serverErrors.push(line) },
    });
    issuer = server.issuer;
    config = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
    redirectUri = `${issuer}${DEMO.callbackPath}`;
  });
  afterAll(async () => server?.stop());

  /** A tab asking the person to sign in again, its form posted: where the provider resumes. */
  async function signedInAgainUpToResume(tab: HttpBrowser): Promise<{ resume: string; verifier: string; state: string }> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      prompt: 'login',
    });
    const page = await tab.go(url.toString(), {}, redirectUri);
    const action = new URL(HttpBrowser.formAction(page, /\/login$/), url).toString();
    const resume = await tab.go(action, { form: { username: 'alice', password: DEMO.password } }, `${issuer}/auth/`);
    expect(resume).toMatch(new RegExp(`^${issuer}/auth/`));
    return { resume, verifier, state };
  }

  /** Whether `tab` is signed in: a new authorization goes straight to the app, no login form. */
  async function signedIn(tab: HttpBrowser): Promise<boolean> {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', state: oidc.randomState(), code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    return (await tab.go(url.toString(), {}, redirectUri)).startsWith(redirectUri);
  }

  it('takes each tab on to its app, and the browser stays signed in whichever identifier it keeps', async () => {
    let browser = (await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri })).browser;
    for (let round = 0; round < 3; round++) {
      const tabs = [browser.newTab(), browser.newTab()];
      const flows = await Promise.all(tabs.map(signedInAgainUpToResume));
      const landed = await Promise.all(tabs.map((tab, i) => tab.go(flows[i]!.resume, {}, redirectUri)));
      expect({ landed: landed.map((url) => url.startsWith(redirectUri)), serverErrors }).toEqual({ landed: [true, true], serverErrors: [] });
      for (const [i, url] of landed.entries()) {
        const tokens = await oidc.authorizationCodeGrant(config, new URL(url), { pkceCodeVerifier: flows[i]!.verifier, expectedState: flows[i]!.state });
        expect(tokens.access_token).toBeTruthy();
      }
      // The browser keeps whichever cookie came last: either must still be signed in.
      expect([await signedIn(tabs[0]!.newTab()), await signedIn(tabs[1]!.newTab())]).toEqual([true, true]);
      browser = tabs[round % 2]!;
    }
  });
});
