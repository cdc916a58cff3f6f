import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpBrowser } from '../helpers/browserless.js';
import { RunningProcess, waitForPort } from '../helpers/child-process.js';
import { freePort } from '../helpers/test-gatehouse.js';
import { PERSON, ThirdPartyHarness } from '../helpers/third-party.js';

const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';
const available = existsSync(APACHE) && existsSync(`${MODULES}/mod_auth_openidc.so`);
if (!available && process.env.CI) throw new Error('apache2 and libapache2-mod-auth-openidc must be installed (.ci/run installs them)');

/**
 * Apache with mod_auth_openidc (Debian's libapache2-mod-auth-openidc), the most common
 * reverse-proxy relying party, configured as its documentation asks: the provider's metadata
 * URL, the client's id and secret, a redirect URI, a passphrase, the scopes, prompt=consent for a
 * refresh token (OpenID Connect Core §11). It runs with its own configuration on a free port, not
 * as the system service. The client is registered with require_pkce off (mod_auth_openidc sends
 * no PKCE by default), its post-logout URI and `<redirect_uri>?logout=backchannel` as its
 * back-channel logout URI.
 */
(available ? describe : describe.skip)('mod_auth_openidc (Apache) as a relying party', () => {
  const gatehouse = new ThirdPartyHarness();
  let apache: RunningProcess;
  let dir: string;
  let base: string;
  let redirectUri: string;

  beforeAll(async () => {
    await gatehouse.start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    redirectUri = `${base}/protected/redirect_uri`;
    const client = await gatehouse.register({
      kind: 'web',
      name: 'Intranet behind Apache',
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [`${base}/loggedout.html`],
      backchannel_logout_uri: `${redirectUri}?logout=backchannel`,
      require_pkce: false,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
    });

    dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-apache-'));
    // Apache's workers run as www-data when started as root: they must read the pages.
    chmodSync(dir, 0o755);
    mkdirSync(path.join(dir, 'htdocs/protected'), { recursive: true });
    writeFileSync(path.join(dir, 'htdocs/protected/index.html'), '<p>Rota for this week</p>\n');
    writeFileSync(path.join(dir, 'htdocs/loggedout.html'), '<p>You left the intranet</p>\n');
    const runAs = process.getuid?.() === 0 ? 'User www-data\nGroup www-data' : '';
    writeFileSync(
      path.join(dir, 'apache2.conf'),
      `ServerRoot ${dir}
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${dir}/apache2.pid
DefaultRuntimeDir ${dir}
Mutex file:${dir} default
ErrorLog ${dir}/error.log
LogLevel warn auth_openidc:info
${runAs}
LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so
LoadModule authn_core_module ${MODULES}/mod_authn_core.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule authz_user_module ${MODULES}/mod_authz_user.so
LoadModule mime_module ${MODULES}/mod_mime.so
LoadModule auth_openidc_module ${MODULES}/mod_auth_openidc.so
TypesConfig /etc/mime.types
DocumentRoot ${dir}/htdocs

OIDCProviderMetadataURL ${gatehouse.issuer}/.well-known/openid-configuration
OIDCClientID ${client.client_id}
OIDCClientSecret ${client.client_secret}
OIDCRedirectURI ${redirectUri}
OIDCCryptoPassphrase ${randomBytes(24).toString('hex')}
OIDCScope "openid profile email offline_access"
OIDCAuthRequestParams prompt=consent
OIDCInfoHook iat access_token access_token_expires id_token userinfo refresh_token

<Location /protected>
  AuthType openid-connect
  Require valid-user
</Location>
`,
    );
    apache = RunningProcess.start('apache2', APACHE, ['-f', path.join(dir, 'apache2.conf'), '-DFOREGROUND']);
    await waitForPort(port);
  });

  afterAll(async () => {
    await apache?.stop();
    await gatehouse.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** What Apache logged, for a failure message. */
  const apacheLog = () => (existsSync(path.join(dir, 'error.log')) ? readFileSync(path.join(dir, 'error.log'), 'utf8').slice(-4000) : '');

  const info = async (browser: HttpBrowser, extra = '') => JSON.parse(await browser.go(`${redirectUri}?info=json${extra}`)) as Record<string, any>;

  /** A browser that opened the protected page and signed in at Gatehouse on the way. */
  async function signedIn(): Promise<HttpBrowser> {
    const browser = new HttpBrowser();
    const page = await gatehouse.signInIfAsked(browser, await browser.go(`${base}/protected/index.html`));
    if (!page.includes('Rota for this week')) throw new Error(`the protected page did not open:\n${page.slice(0, 1500)}\nApache's log:\n${apacheLog()}`);
    return browser;
  }

  it('signs the person in, with the ID token checked and the userinfo claims in the session', async () => {
    const browser = await signedIn();
    const session = await info(browser);
    expect(session.id_token).toMatchObject({ iss: gatehouse.issuer, sub: gatehouse.userId, preferred_username: PERSON.username });
    expect(session.userinfo).toMatchObject({ sub: gatehouse.userId, email: PERSON.email, name: PERSON.name });
    expect(session.refresh_token).toEqual(expect.any(String));
  });

  it('refreshes the access token with the refresh token', async () => {
    const browser = await signedIn();
    const before = await info(browser);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const after = await info(browser, '&access_token_refresh_interval=1');
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).not.toBe(before.refresh_token);
  });

  it('logs out at Gatehouse through the end-session endpoint and comes back to its post-logout URI', async () => {
    const browser = await signedIn();
    const confirm = await browser.go(`${redirectUri}?logout=${encodeURIComponent(`${base}/loggedout.html`)}`);
    const after = await gatehouse.confirmSignOut(browser, confirm);
    expect(after).toContain('You left the intranet');
    // Both sessions are gone: the protected page asks for the password again.
    expect(await browser.go(`${base}/protected/index.html`)).toMatch(/name="password"/);
  });

  it('ends its own session when Gatehouse sends a logout token (an administrator signed the person out)', async () => {
    const browser = await signedIn();
    const answer = await gatehouse.signOutEverywhere();
    expect(answer.body.logout_notices).toEqual([expect.objectContaining({ client_name: 'Intranet behind Apache', status: 'delivered' })]);
    expect(await browser.go(`${base}/protected/index.html`)).toMatch(/name="password"/);
  });
});
