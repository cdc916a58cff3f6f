import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { HttpBrowser } from '../helpers/browserless.js';
import { RunningProcess } from '../helpers/child-process.js';
import { PERSON, ThirdPartyHarness } from '../helpers/third-party.js';

/** Debian's Python, where python3-authlib and python3-requests-oauthlib install. */
const PYTHON = '/usr/bin/python3';
const SCRIPTS = path.resolve('test/third-party/relying-parties');

const RELYING_PARTIES = [
  // Authlib sends PKCE: the registration keeps the default (require_pkce on).
  { name: 'Authlib', module: 'authlib', script: 'authlib_rp.py', settings: {} },
  // requests-oauthlib sends none: the server-side app's registration turns require_pkce off.
  { name: 'requests-oauthlib', module: 'requests_oauthlib', script: 'requests_oauthlib_rp.py', settings: { require_pkce: false } },
] as const;

function installed(module: string): boolean {
  return spawnSync(PYTHON, ['-c', `import ${module}`]).status === 0;
}

describe.each(RELYING_PARTIES)('$name (Python, from Debian) as a relying party', ({ name, module, script, settings }) => {
  const available = installed(module);
  if (!available && process.env.CI) throw new Error(`${PYTHON} cannot import ${module}: .ci/run installs the Debian package`);
  const gatehouse = new ThirdPartyHarness();
  // Nothing listens there: the browser stops at the app's callback and hands the URL over.
  const redirectUri = 'http://127.0.0.1:9/callback';
  const postLogoutRedirectUri = 'http://127.0.0.1:9/signed-out';

  beforeAll(async () => {
    if (available) await gatehouse.start();
  });
  afterAll(() => gatehouse.stop());

  (available ? it : it.skip)('signs in, reads userinfo, refreshes and logs out, configured from the discovery document only', async () => {
    const client = await gatehouse.register({ kind: 'web', name, redirect_uris: [redirectUri], post_logout_redirect_uris: [postLogoutRedirectUri], ...settings });
    const rp = RunningProcess.start(name, PYTHON, [path.join(SCRIPTS, script), gatehouse.issuer, client.client_id, client.client_secret!, redirectUri, postLogoutRedirectUri], {
      env: { AUTHLIB_INSECURE_TRANSPORT: '1', OAUTHLIB_INSECURE_TRANSPORT: '1' },
    });
    try {
      const authorize = JSON.parse(await rp.nextLine(/"step": "authorize"/)) as { url: string };
      const browser = new HttpBrowser();
      const callback = await gatehouse.signInIfAsked(browser, await browser.go(authorize.url, {}, redirectUri), redirectUri);
      expect(callback.startsWith(`${redirectUri}?`)).toBe(true);
      rp.write(callback);

      const signedIn = JSON.parse(await rp.nextLine(/"step": "signed_in"/)) as { sub: string; preferred_username?: string; userinfo: Record<string, unknown> };
      expect(signedIn.sub).toBe(gatehouse.userId);
      expect(signedIn.userinfo).toMatchObject({ sub: gatehouse.userId, preferred_username: PERSON.username, email: PERSON.email });

      const refreshed = JSON.parse(await rp.nextLine(/"step": "refreshed"/)) as { rotated: boolean; new_access_token: boolean; sub: string };
      expect(refreshed).toEqual({ step: 'refreshed', rotated: true, new_access_token: true, sub: gatehouse.userId });

      const logout = JSON.parse(await rp.nextLine(/"step": "logout"/)) as { url: string };
      const landed = await gatehouse.confirmSignOut(browser, await browser.go(logout.url, {}, postLogoutRedirectUri), postLogoutRedirectUri);
      expect(landed.startsWith(`${postLogoutRedirectUri}?state=`)).toBe(true);
      rp.write('done');
      expect(await rp.exitCode()).toBe(0);
    } finally {
      await rp.stop();
    }
  });
});
