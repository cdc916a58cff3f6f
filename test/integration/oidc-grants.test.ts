import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient, signInWithCode, signInWithDevice } from '../helpers/relying-party.js';
import { startTestGatehouse, storageKinds, type TestGatehouse } from '../helpers/test-gatehouse.js';

const DAY = 24 * 60 * 60;

/** The shared suite: every grant of DESIGN §3 through openid-client, on each storage combination. */
describe.each(storageKinds())('OpenID Connect grants on %s storage', (storage) => {
  let server: TestGatehouse;
  let issuer: string;
  let callback: string;

  beforeAll(async () => {
    server = await startTestGatehouse(storage);
    issuer = server.issuer;
    callback = `${issuer}${DEMO.callbackPath}`;
  });
  afterAll(async () => server?.stop());

  const web = () => discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
  const mobile = () => discoverClient(issuer, DEMO.mobile.clientId);
  const artifact = (type: string, id: string) =>
    server.gatehouse.database.knex('oidc_artifacts').where({ type, id }).first<{ expires_at: Date; consumed_at: Date | null; payload: Record<string, unknown> } | undefined>();

  it('publishes discovery with every endpoint and grant, S256 only', async () => {
    const config = await web();
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(issuer);
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'introspection_endpoint', 'revocation_endpoint', 'end_session_endpoint', 'device_authorization_endpoint'] as const) {
      expect(meta[endpoint]).toMatch(new RegExp(`^${issuer}/`));
    }
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code']));
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'phone', 'offline_access', 'admin']));
  });

  it('signs a user in with authorization code + PKCE: ID token with tenant, role and amr, userinfo, 3600 s lifetimes', async () => {
    const config = await web();
    const { tokens } = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: callback, scope: 'openid profile email offline_access' });
    const claims = tokens.claims()!;
    expect(claims.preferred_username).toBe('alice');
    expect(claims.role).toBe('member');
    expect(typeof claims.tenant).toBe('string');
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.exp! - claims.iat).toBe(3600);
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.refresh_token).toBeDefined();
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo.email).toBe('alice@demo.gatehouse.localhost');
  });

  it('accepts the username in any case and refuses a wrong password with the same message as an unknown user', async () => {
    const config = await web();
    const { tokens } = await signInWithCode(config, { username: 'ALICE', password: DEMO.password, redirectUri: callback });
    expect(tokens.claims()!.preferred_username).toBe('alice');

    const messages: string[] = [];
    for (const username of ['alice', 'nobody-by-this-name']) {
      const browser = new HttpBrowser();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: callback, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
      const page = await browser.go(url.toString());
      const after = await browser.go(new URL(HttpBrowser.formAction(page, /login$/), issuer).toString(), { form: { username, password: 'wrong-password-123' } });
      expect(browser.lastStatus).toBe(401);
      messages.push(/<p role="alert"[^>]*>([^<]*)<\/p>/.exec(after)![1]!);
    }
    expect(messages[0]).toBe(messages[1]);
    expect(messages[0]).toMatch(/username or password is incorrect/);
  });

  it('gives the 30-day refresh token an absolute lifetime that rotation does not extend, under a grant that outlives it', async () => {
    const config = await mobile();
    const { tokens } = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: callback });
    const first = await artifact('RefreshToken', tokens.refresh_token!);
    const grant = await artifact('Grant', String(first!.payload.grantId));
    const now = Date.now() / 1000;
    expect(first!.expires_at.getTime() / 1000 - now).toBeGreaterThan(30 * DAY - 60);
    expect(first!.expires_at.getTime() / 1000 - now).toBeLessThanOrEqual(30 * DAY + 1);
    // The provider's default grant lifetime (14 days) would silently cut the chain short.
    expect(grant!.expires_at.getTime()).toBeGreaterThan(first!.expires_at.getTime());

    await new Promise((r) => setTimeout(r, 1100));
    const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    const second = await artifact('RefreshToken', rotated.refresh_token!);
    expect(Math.abs(second!.expires_at.getTime() - first!.expires_at.getTime())).toBeLessThan(1500);
  });

  it('rotates refresh tokens: ten parallel refreshes with one token all get the one successor, whose chain lives on alone', async () => {
    const config = await mobile();
    const { tokens } = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: callback });
    const results = await Promise.all(Array.from({ length: 10 }, () => oidc.refreshTokenGrant(config, tokens.refresh_token!)));
    const successors = new Set(results.map((r) => r.refresh_token));
    expect(successors.size).toBe(1);
    const [next] = successors;
    expect(next).not.toBe(tokens.refresh_token);
    // Every answer carries a working access token of its own.
    expect(new Set(results.map((r) => r.access_token)).size).toBe(10);
    const grantId = (await artifact('RefreshToken', next!))!.payload.grantId;
    const live = await server.gatehouse.database.knex('oidc_artifacts').where({ type: 'RefreshToken', grant_id: grantId }).whereNull('consumed_at').count<{ count: number }[]>('* as count');
    expect(Number(live[0]!.count)).toBe(1);
    const again = await oidc.refreshTokenGrant(config, next!);
    expect(again.access_token).toBeDefined();
  });

  it('answers a just-rotated refresh token with the current one (a retry), and revokes the grant when an old one is replayed later', async () => {
    const config = await mobile();
    const { tokens } = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: callback });
    const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token!);

    // Within the grace window: the same successor, chain intact.
    expect((await oidc.refreshTokenGrant(config, tokens.refresh_token!)).refresh_token).toBe(rotated.refresh_token);
    const stillAlive = await oidc.refreshTokenGrant(config, rotated.refresh_token!);

    // Past the grace window (moved back in the database rather than waiting): replay = theft.
    await server.gatehouse.database.knex('oidc_artifacts').where({ type: 'RefreshToken', id: tokens.refresh_token }).update({ consumed_at: new Date(Date.now() - 60_000) });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, stillAlive.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('lets an authorization code be exchanged once, even by parallel requests', async () => {
    const config = await web();
    const browser = new HttpBrowser();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: callback, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const page = await browser.go(url.toString(), {}, callback);
    const landed = await browser.go(new URL(HttpBrowser.formAction(page, /login$/), issuer).toString(), { form: { username: 'alice', password: DEMO.password } }, callback);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => oidc.authorizationCodeGrant(config, new URL(landed), { pkceCodeVerifier: verifier })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('requires PKCE S256 and exact redirect URIs, answering with OAuth errors and never a 5xx', async () => {
    const base = `${issuer}/auth?client_id=${DEMO.mobile.clientId}&response_type=code&scope=openid`;
    const noPkce = await fetch(`${base}&redirect_uri=${encodeURIComponent(callback)}`, { redirect: 'manual' });
    expect(noPkce.status).toBe(303);
    expect(noPkce.headers.get('location')).toMatch(/error=invalid_request/);

    const plain = await fetch(`${base}&redirect_uri=${encodeURIComponent(callback)}&code_challenge=abc&code_challenge_method=plain`, { redirect: 'manual' });
    expect(plain.headers.get('location')).toMatch(/error=invalid_request/);

    const wrongRedirect = await fetch(`${base}&redirect_uri=${encodeURIComponent(`${callback}/extra`)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`, { redirect: 'manual' });
    expect(wrongRedirect.status).toBe(400);
    expect(await wrongRedirect.text()).toMatch(/not registered/);

    const unknown = await fetch(`${issuer}/auth?client_id=nope&response_type=code&scope=openid`, { redirect: 'manual' });
    expect(unknown.status).toBe(400);

    const badVerifier = await signInWithCode(await web(), { username: 'alice', password: DEMO.password, redirectUri: callback }).then(() => 'ok');
    expect(badVerifier).toBe('ok');
    const garbage = await fetch(`${issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=zzz&client_id=demo-mobile&code_verifier=short' });
    expect(garbage.status).toBe(400);
    expect((await garbage.json()).error).toMatch(/invalid_(grant|request)/);
    const malformed = await fetch(`${issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"broken' });
    expect(malformed.status).toBeLessThan(500);
  });

  it('issues client-credentials tokens to an integration, 3600 s, and refuses a wrong secret', async () => {
    const config = await discoverClient(issuer, DEMO.integration.clientId, DEMO.integration.secret);
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.access_token).toBeDefined();
    expect(tokens.expires_in).toBe(3600);
    const wrong = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${DEMO.integration.clientId}:not-the-secret`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toBe('invalid_client');
  });

  it('introspects and revokes tokens', async () => {
    const config = await web();
    const { tokens } = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: callback });
    const active = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(active.active).toBe(true);
    expect(active.client_id).toBe(DEMO.web.clientId);
    // The refresh token too (PostgreSQL), asked about at the same time as the access token (Redis).
    const both = await Promise.all([tokens.refresh_token!, tokens.access_token].map((token) => oidc.tokenIntrospection(config, token)));
    expect(both.map((answer) => [answer.active, answer.token_type])).toEqual([[true, undefined], [true, 'Bearer']]);
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await oidc.tokenRevocation(config, tokens.access_token);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });

  it('runs the device authorization grant: polling with slow_down, then code page, confirmation and sign-in', async () => {
    const config = await discoverClient(issuer, DEMO.downloader.clientId);
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile offline_access' });
    expect(device.interval).toBe(1);
    expect(await (await fetch(device.verification_uri)).text()).toMatch(/name="user_code"/);
    expect(device.verification_uri).toBe(`${issuer}/device`);

    // Polling faster than the interval is told to slow down.
    const poll = () => fetch(`${issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code, client_id: DEMO.downloader.clientId }) }).then((r) => r.json());
    expect((await poll()).error).toBe('authorization_pending');
    expect((await poll()).error).toBe('slow_down');

    const tokens = await signInWithDevice(config, { username: 'alice', password: DEMO.password });
    expect(tokens.refresh_token).toBeDefined();
    expect(tokens.claims()!.preferred_username).toBe('alice');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeDefined();
  });

  it('ends the browser session at end-session after confirmation', async () => {
    const config = await web();
    const { tokens, browser } = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: callback });
    const url = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${issuer}/` });
    const confirm = await browser.go(url.toString());
    expect(confirm).toMatch(/Sign out/);
    await browser.go(new URL(HttpBrowser.formAction(confirm), issuer).toString(), { form: { ...HttpBrowser.hiddenInputs(confirm), logout: 'yes' } });
    expect(browser.lastUrl).toBe(`${issuer}/`);
    // The next authorization asks for the password again.
    const again = oidc.buildAuthorizationUrl(config, { redirect_uri: callback, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    expect(await browser.go(again.toString(), {}, callback)).toMatch(/name="password"/);
  });

  it('sends anti-framing and no-referrer headers, and HttpOnly SameSite cookies', async () => {
    const config = await web();
    const browser = new HttpBrowser();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: callback, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const first = await fetch(url, { redirect: 'manual' });
    for (const cookie of first.headers.getSetCookie()) {
      expect(cookie).toMatch(/httponly/i);
      expect(cookie).toMatch(/samesite=lax/i);
    }
    await browser.go(url.toString());
    expect(browser.lastHeaders.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(browser.lastHeaders.get('referrer-policy')).toBe('no-referrer');
  });
});
