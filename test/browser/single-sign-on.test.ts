import * as oidc from 'openid-client';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { accessibilityViolations } from '../helpers/accessibility.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { discoverClient } from '../helpers/relying-party.js';
import { freePort, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';
import { startUpstreamIdp, type UpstreamIdp } from '../helpers/upstream-idp.js';

/**
 * "Sign in with Microsoft": Gatehouse against an upstream that behaves like Entra ID (an issuer
 * per directory, `tid` and `oid` claims), through the real pages in Chromium, on PostgreSQL.
 */
const CONTOSO_TID = '6f1c1f52-6c1b-4c36-9d6a-3f2f2b1f0a11';
const FABRIKAM_TID = '0b0d7f3e-2a55-4bfe-8a4f-5c9a3b1e9d22';
const UPSTREAM_CLIENT = { client_id: 'gatehouse-at-entra', client_secret: 'entra-client-secret-0123456789' };
const PASSWORD = 'amber-lantern-42';

// Reads the event log and users with SQL: on the real PostgreSQL server (CI always has one).
((chromiumAvailable() && process.env.TEST_DATABASE_URL) || process.env.CI ? describe : describe.skip)('Sign in with Microsoft (and any OpenID Connect provider) per tenant', () => {
  let upstream: UpstreamIdp;
  let server: TestGatehouse;
  let browser: Browser;
  let web: oidc.Configuration;
  let operator: string;
  let db: pg.Client;

  beforeAll(async () => {
    const port = await freePort();
    const gatehouseOrigin = `http://localhost:${port}`;
    upstream = await startUpstreamIdp({
      directories: [
        {
          tid: CONTOSO_TID,
          users: [
            { oid: 'oid-ada', username: 'ada@contoso.test', email: 'ada@contoso.test', name: 'Ada Lovelace' },
            { oid: 'oid-bob', username: 'bob@contoso.test', email: 'bob@contoso.test', name: 'Bob Builder' },
            { oid: 'oid-new', username: 'newbie@contoso.test', email: 'newbie@contoso.test', name: 'New Person' },
            { oid: 'oid-eve', username: 'eve@elsewhere.test', email: 'eve@elsewhere.test', name: 'Eve Outsider' },
          ],
        },
        {
          tid: FABRIKAM_TID,
          users: [
            { oid: 'oid-fay', username: 'fay@fabrikam.test', email: 'fay@fabrikam.test', email_verified: true, name: 'Fay First' },
            { oid: 'oid-gil', username: 'gil@fabrikam.test', email: 'gil@fabrikam.test', email_verified: true, name: 'Gil Second' },
          ],
        },
      ],
      clients: [{ ...UPSTREAM_CLIENT, redirect_uris: [`${gatehouseOrigin}/sso/callback`], post_logout_redirect_uris: [`${gatehouseOrigin}/sso/signed-out`] }],
    });
    [server, browser] = await Promise.all([
      startTestGatehouse('postgres', { env: { ...OPERATOR_ENV, PORT: String(port), SSO_ENTRA_AUTHORITY: upstream.origin } }),
      launchChromium(),
    ]);
    operator = await operatorToken(server.issuer);
    web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();

    // Contoso: Microsoft Entra ID, existing users linked on their first sign-in, a second factor
    // required unless Entra asserts MFA.
    await admin('POST', '/tenants', { slug: 'contoso', name: 'Contoso Clinics', settings: { mfa: { mode: 'required' } } });
    for (const username of ['ada@contoso.test', 'bob@contoso.test']) {
      await admin('POST', '/tenants/contoso/users', { username, email: username, password: PASSWORD });
    }
    await admin('POST', '/tenants/contoso/users', { username: 'carl', email: 'carl@contoso.test', password: PASSWORD, phone: '+14155550123' });
    const saved = await admin('PUT', '/tenants/contoso/sso', {
      kind: 'entra',
      entra_tenant_id: CONTOSO_TID,
      ...UPSTREAM_CLIENT,
      allowed_domains: ['contoso.test'],
      enabled: true,
      trust_upstream_mfa: true,
    });
    expect(saved.status).toBe(200);
    // Fabrikam: any OpenID Connect issuer (here the same kind of server), people created on
    // their first sign-in, within a seat limit.
    await admin('POST', '/tenants', { slug: 'fabrikam', name: 'Fabrikam Field', settings: { seats: { limit: 1 } } });
    expect(
      (await admin('PUT', '/tenants/fabrikam/sso', { kind: 'oidc', issuer: upstream.issuerOf(FABRIKAM_TID), display_name: 'Fabrikam sign-in', ...UPSTREAM_CLIENT, allowed_domains: ['fabrikam.test'], enabled: true, jit: true }))
        .status,
    ).toBe(200);
  });

  afterAll(async () => {
    await db?.end();
    await browser?.close();
    await server?.stop();
    await upstream?.close();
  });

  async function admin(method: string, path: string, body?: unknown) {
    return adminCall(server.issuer, operator, method, path, body);
  }

  /** Starts the demo app's sign-in in a fresh browser; answers the page and the PKCE verifier. */
  async function startSignIn(extra: Record<string, string> = {}): Promise<{ page: Page; verifier: string }> {
    const page = await (await browser.newContext()).newPage();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(web, {
      redirect_uri: `${server.issuer}${DEMO.callbackPath}`,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    await page.goto(url.toString());
    return { page, verifier };
  }

  /** Types the name on Gatehouse's login page and asks for the organisation's sign-in. */
  async function viaOrganisation(page: Page, username: string): Promise<void> {
    await page.getByLabel('Username').fill(username);
    await page.getByRole('button', { name: "Use your organisation's sign-in" }).click();
  }

  /** Signs in at the upstream's own page. */
  async function atUpstream(page: Page, username: string, options: { mfa?: boolean } = {}): Promise<void> {
    await page.waitForURL((url) => url.origin === upstream.origin);
    await page.getByLabel('Username').fill(username);
    if (options.mfa) await page.getByLabel('Used MFA').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function tokensAt(page: Page, verifier: string) {
    await page.waitForURL(/\/demo\/callback\?code=/);
    return (await oidc.authorizationCodeGrant(web, new URL(page.url()), { pkceCodeVerifier: verifier })).claims()!;
  }

  async function latestEvent(type: string): Promise<{ reason: string | null; user_id: string | null; request_id: string | null; details: Record<string, unknown> | null }> {
    const { rows } = await db.query('SELECT reason, user_id, request_id, details FROM events WHERE type = $1 ORDER BY id DESC LIMIT 1', [type]);
    return rows[0];
  }

  it('routes an email to the tenant\'s Entra directory, links the existing user by its stable ids, and trusts Entra\'s MFA', async () => {
    const { page, verifier } = await startSignIn();
    await viaOrganisation(page, 'ada@contoso.test');
    await atUpstream(page, 'ada@contoso.test', { mfa: true });
    const claims = await tokensAt(page, verifier);
    expect(claims.amr).toEqual(['fed', 'mfa']);

    // The upstream saw an authorization code request with PKCE, the typed name as a hint.
    const request = upstream.authorizations.at(-1)!;
    expect(request).toMatchObject({ response_type: 'code', code_challenge_method: 'S256', login_hint: 'ada@contoso.test', client_id: UPSTREAM_CLIENT.client_id });
    const { rows } = await db.query("SELECT f.subject FROM federated_identities f JOIN users u ON u.id = f.user_id WHERE u.username = 'ada@contoso.test'");
    expect(rows).toEqual([{ subject: `${CONTOSO_TID}:oid-ada` }]);
    expect((await latestEvent('sso.user_linked')).details).toMatchObject({ kind: 'entra' });
  });

  it('asks Gatehouse\'s own second factor when Entra did not assert MFA', async () => {
    const { page } = await startSignIn();
    await viaOrganisation(page, 'bob@contoso.test');
    await atUpstream(page, 'bob@contoso.test');
    // The tenant requires a second factor and Bob has none yet: he sets one up before any token.
    await page.getByLabel('Mobile number').waitFor();
    expect(page.url()).toContain('/interaction/');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('sends a typed username with an empty password to the organisation, and an application\'s tenant_hint straight there', async () => {
    let { page } = await startSignIn();
    await page.getByLabel('Username').fill('bob@contoso.test');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.origin === upstream.origin);

    ({ page } = await startSignIn({ tenant_hint: 'contoso' }));
    await page.waitForURL((url) => url.origin === upstream.origin);
    ({ page } = await startSignIn({ login_hint: 'someone@contoso.test' }));
    await page.waitForURL((url) => url.origin === upstream.origin);
  });

  it('refuses an unknown person when the tenant does not create users, and says what to do', async () => {
    const { page } = await startSignIn();
    await viaOrganisation(page, 'newbie@contoso.test');
    await atUpstream(page, 'newbie@contoso.test');
    await page.getByRole('heading', { name: 'Your account has not been set up' }).waitFor();
    await page.getByText('Ask your administrator to add you').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    const event = await latestEvent('sso.refused');
    expect(event.reason).toBe('unknown_user');
    // The error id on the page is the request's id, in the event log and the logs alike.
    await expect(page.locator('code.error-id').textContent()).resolves.toBe(event.request_id);
  });

  it('refuses an email domain the tenant does not allow, and the diagnosis of the user it named says so', async () => {
    const eve = await admin('POST', '/tenants/contoso/users', { username: 'eve', email: 'eve@elsewhere.test', password: PASSWORD });
    const { page } = await startSignIn();
    await viaOrganisation(page, 'someone@contoso.test');
    await atUpstream(page, 'eve@elsewhere.test');
    await page.getByRole('heading', { name: 'This account is not allowed here' }).waitFor();
    expect((await latestEvent('sso.refused')).reason).toBe('domain_not_allowed');
    const diagnosis = await admin('GET', `/tenants/contoso/users/${eve.body.id}/diagnosis`);
    expect(diagnosis.body.can_sign_in).toBe(false);
    expect(diagnosis.body.blockers).toContainEqual(expect.objectContaining({ code: 'sso_domain_not_allowed', message: expect.stringContaining('eve@elsewhere.test, whose email domain (elsewhere.test) is not among') }));
    // "Try again" goes back to the organisation's sign-in, which offers to choose another account.
    await page.getByRole('link', { name: 'Try again' }).click();
    await page.waitForURL((url) => url.origin === upstream.origin);
    expect(upstream.authorizations.at(-1)).toMatchObject({ prompt: 'select_account' });
  });

  it('answers a cancelled or failed upstream sign-in with a page, a way back and an error id', async () => {
    let { page } = await startSignIn();
    await viaOrganisation(page, 'ada@contoso.test');
    await page.waitForURL((url) => url.origin === upstream.origin);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Microsoft did not sign you in' }).waitFor();
    expect((await latestEvent('sso.refused')).reason).toBe('upstream_refused');
    await page.getByRole('link', { name: 'Sign in with a Gatehouse password instead' }).click();
    await page.getByLabel('Password').waitFor();

    upstream.failTokenEndpoint = true;
    try {
      ({ page } = await startSignIn());
      await viaOrganisation(page, 'ada@contoso.test');
      await atUpstream(page, 'ada@contoso.test');
      await page.getByRole('heading', { name: 'Signing in with Microsoft did not work' }).waitFor();
      const event = await latestEvent('sso.refused');
      expect(event.reason).toBe('upstream_failed');
      await expect(page.locator('code.error-id').textContent()).resolves.toBe(event.request_id);
      expect(await accessibilityViolations(page)).toEqual([]);
    } finally {
      upstream.failTokenEndpoint = false;
    }
  });

  it('creates people on their first sign-in within the seat limit, and says when no seat is left', async () => {
    let { page, verifier } = await startSignIn();
    await viaOrganisation(page, 'fay@fabrikam.test');
    await atUpstream(page, 'fay@fabrikam.test');
    const claims = await tokensAt(page, verifier);
    expect(claims.amr).toEqual(['fed']);
    const { rows } = await db.query("SELECT u.email, u.name, u.password_hash, t.slug FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.username = 'fay@fabrikam.test'");
    expect(rows).toEqual([{ email: 'fay@fabrikam.test', name: 'Fay First', password_hash: null, slug: 'fabrikam' }]);
    expect(await latestEvent('sso.user_created')).toMatchObject({ details: { kind: 'oidc' } });

    // The one seat is Fay's: Gil gets the page that says so, and no user.
    ({ page } = await startSignIn());
    await viaOrganisation(page, 'gil@fabrikam.test');
    await atUpstream(page, 'gil@fabrikam.test');
    await page.getByRole('heading', { name: 'Your organisation has no seat left' }).waitFor();
    expect((await latestEvent('sso.refused')).reason).toBe('no_seat_left');
    expect((await db.query("SELECT 1 FROM users WHERE username = 'gil@fabrikam.test'")).rowCount).toBe(0);
    // Administrators meet the same limit.
    const refused = await admin('POST', '/tenants/fabrikam/users', { username: 'hand-made', email: 'hand@fabrikam.test', password: PASSWORD });
    expect(refused.status).toBe(409);
    expect(refused.body.reason).toBe('no_seat_left');

    // Fay again: linked by her subject, not created twice.
    ({ page, verifier } = await startSignIn());
    await viaOrganisation(page, 'fay@fabrikam.test');
    await atUpstream(page, 'fay@fabrikam.test');
    await tokensAt(page, verifier);
    expect((await db.query("SELECT 1 FROM users WHERE username = 'fay@fabrikam.test'")).rowCount).toBe(1);
  });

  it('tells a disabled account so after the upstream sign-in', async () => {
    const { body: found } = await admin('GET', '/tenants/contoso/users?q=ada');
    const ada = found.items.find((user: { username: string }) => user.username === 'ada@contoso.test');
    expect((await admin('PATCH', `/tenants/contoso/users/${ada.id}`, { disabled: true })).status).toBe(200);
    try {
      const { page } = await startSignIn();
      await viaOrganisation(page, 'ada@contoso.test');
      await atUpstream(page, 'ada@contoso.test', { mfa: true });
      await page.getByRole('heading', { name: 'Your account is disabled' }).waitFor();
      expect(await latestEvent('sso.refused')).toMatchObject({ reason: 'disabled', user_id: ada.id });
    } finally {
      await admin('PATCH', `/tenants/contoso/users/${ada.id}`, { disabled: false });
    }
  });

  it('with SSO required: no password sign-in, no password to reset, Reset answers 409; switched off, a reset can be sent again', async () => {
    expect((await admin('PUT', '/tenants/contoso/sso', { kind: 'entra', entra_tenant_id: CONTOSO_TID, client_id: UPSTREAM_CLIENT.client_id, required: true })).status).toBe(200);
    // Ada is linked: her Gatehouse password is gone.
    expect((await db.query("SELECT password_hash FROM users WHERE username = 'ada@contoso.test'")).rows).toEqual([{ password_hash: null }]);
    // New people get no password and no invitation: they sign in with Microsoft.
    expect((await admin('POST', '/tenants/contoso/users', { username: 'dana@contoso.test', email: 'dana@contoso.test', password: PASSWORD })).body.reason).toBe('sso_required');
    const dana = await admin('POST', '/tenants/contoso/users', { username: 'dana@contoso.test', email: 'dana@contoso.test' });
    expect(dana.status).toBe(201);
    expect(dana.body.invitation).toBeUndefined();
    expect((await db.query("SELECT password_hash, password_temporary FROM users WHERE username = 'dana@contoso.test'")).rows).toEqual([{ password_hash: null, password_temporary: false }]);

    // The right password of an unlinked user goes to Microsoft all the same.
    let { page } = await startSignIn();
    await page.getByLabel('Username').fill('carl');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.origin === upstream.origin);

    ({ page } = await startSignIn());
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Username').fill('carl');
    await page.getByRole('button', { name: /code/i }).click();
    await page.getByRole('heading', { name: 'Sign in with Microsoft' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);

    const { body: found } = await admin('GET', '/tenants/contoso/users?q=carl');
    const carl = found.items[0];
    const refused = await admin('POST', `/tenants/contoso/users/${carl.id}/password-reset`);
    expect(refused.status).toBe(409);
    expect(refused.body.reason).toBe('sso_required');
    expect((await admin('PUT', `/tenants/contoso/users/${carl.id}/password`, { password: 'another-long-password-1' })).status).toBe(409);
    expect((await admin('GET', `/tenants/contoso/users/${carl.id}/diagnosis`)).body.blockers).toContainEqual(expect.objectContaining({ code: 'sso_required' }));

    expect((await admin('PUT', '/tenants/contoso/sso', { kind: 'entra', entra_tenant_id: CONTOSO_TID, client_id: UPSTREAM_CLIENT.client_id, required: false })).status).toBe(200);
    expect((await admin('POST', `/tenants/contoso/users/${carl.id}/password-reset`)).status).toBe(202);
  });

  it("signs out at Microsoft too when the tenant asks for it, then returns to the application", async () => {
    expect((await admin('PUT', '/tenants/contoso/sso', { kind: 'entra', entra_tenant_id: CONTOSO_TID, client_id: UPSTREAM_CLIENT.client_id, upstream_logout: true })).status).toBe(200);
    const { page, verifier } = await startSignIn();
    await viaOrganisation(page, 'ada@contoso.test');
    await atUpstream(page, 'ada@contoso.test', { mfa: true });
    await page.waitForURL(/\/demo\/callback\?code=/);
    const tokens = await oidc.authorizationCodeGrant(web, new URL(page.url()), { pkceCodeVerifier: verifier });
    const logoutsBefore = upstream.logouts.length;

    await page.goto(oidc.buildEndSessionUrl(web, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${server.issuer}/`, state: 'bye' }).toString());
    await page.getByRole('button', { name: 'Sign out of everything in this browser' }).click();
    await page.waitForURL((url) => url.origin === upstream.origin);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${server.issuer}/?state=bye`);
    expect(upstream.logouts.slice(logoutsBefore)).toEqual([expect.objectContaining({ client_id: UPSTREAM_CLIENT.client_id, post_logout_redirect_uri: `${server.issuer}/sso/signed-out` })]);
  });
});
