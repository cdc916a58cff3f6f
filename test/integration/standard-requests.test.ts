import * as oidc from 'openid-client';
import { startOperatorGatehouse } from '../helpers/operator-gatehouse.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { ACR } from '../../src/entrypoints/oidc/acr.js';
import { REFUSAL_WORDING } from '../../src/entrypoints/oidc/refusal-wording.js';
import { adminCall, createUser } from '../helpers/admin-api.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { confirmDevice, discoverClient, signInWithCode } from '../helpers/relying-party.js';
import type { TestGatehouse } from '../helpers/test-gatehouse.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Requests standard relying parties send, answered as the specifications say: each was refused
 * or answered otherwise before (PKCE of confidential clients, POST to the browser endpoints, an
 * empty Basic secret, error codes, expired device codes, profile claims, acr, the claims
 * parameter, the lifetime of Redis indexes).
 */
describe('standard requests', () => {
  let server: TestGatehouse;
  let issuer: string;
  let callback: string;
  let operator: string;

  beforeAll(async () => {
    ({ server, issuer, operator } = await startOperatorGatehouse());
    callback = `${issuer}${DEMO.callbackPath}`;
  });
  afterAll(async () => server?.stop());

  const form = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${issuer}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) });
  const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });

  /** A web client of the demo tenant registered with `settings`. */
  async function webClient(settings: Record<string, unknown> = {}): Promise<{ id: string; secret: string; config: oidc.Configuration }> {
    const created = await adminCall(issuer, operator, 'POST', '/tenants/demo/clients', { kind: 'web', name: 'Classic RP', redirect_uris: [callback], ...settings });
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    return { id: created.body.client_id, secret: created.body.client_secret, config: await discoverClient(issuer, created.body.client_id, created.body.client_secret) };
  }

  describe('PKCE, per client', () => {
    it('is required of a confidential client by default, and the refusal names the setting to change', async () => {
      const { config } = await webClient();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: callback, scope: 'openid', nonce: 'n-0S6_WzA2Mj' });
      const answer = await fetch(url, { redirect: 'manual' });
      const location = new URL(answer.headers.get('location')!);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('error_description')).toBe(REFUSAL_WORDING.pkce_required_confidential);
      expect(location.searchParams.get('error_description')).toMatch(/require_pkce/);
    });

    it('is not required of a confidential client that turned require_pkce off: a classic code flow with a nonce signs in', async () => {
      const { config } = await webClient({ require_pkce: false });
      const nonce = oidc.randomNonce();
      const browser = new HttpBrowser();
      const page = await browser.go(oidc.buildAuthorizationUrl(config, { redirect_uri: callback, scope: 'openid profile', nonce, state: 'st' }).toString(), {}, callback);
      const landed = await browser.go(new URL(HttpBrowser.formAction(page, /login$/), issuer).toString(), { form: { username: 'alice', password: DEMO.password } }, callback);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(landed), { expectedNonce: nonce, expectedState: 'st' });
      expect(tokens.claims()!.nonce).toBe(nonce);
    });

    it('stays required of public clients, whatever they send', async () => {
      const url = `${issuer}/auth?client_id=${DEMO.mobile.clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(callback)}`;
      const location = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
      expect(location.searchParams.get('error_description')).toBe(REFUSAL_WORDING.pkce_required_public);
    });
  });

  describe('HTTP POST to the browser endpoints (OpenID Connect Core §3.1.2.1, RP-Initiated Logout §2)', () => {
    it('takes an authorization request posted as a form, keeping the person signed in', async () => {
      const config = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
      const { browser } = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: callback });
      const verifier = oidc.randomPKCECodeVerifier();
      const params = { client_id: DEMO.web.clientId, response_type: 'code', scope: 'openid profile', redirect_uri: callback, state: 'posted', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
      const landed = await browser.go(`${issuer}/auth`, { form: params }, callback);
      // Signed in already: straight back to the app, no password page.
      expect(new URL(landed).searchParams.get('state')).toBe('posted');
      const tokens = await oidc.authorizationCodeGrant(config, new URL(landed), { pkceCodeVerifier: verifier, expectedState: 'posted' });
      expect(tokens.claims()!.preferred_username).toBe('alice');
    });

    it('takes an end-session request posted as a form', async () => {
      const config = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
      const { tokens, browser } = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: callback });
      const confirm = await browser.go(`${issuer}/session/end`, { form: { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${issuer}/`, state: 'bye' } });
      expect(confirm).toMatch(/Sign out/);
      await browser.go(new URL(HttpBrowser.formAction(confirm), issuer).toString(), { form: { ...HttpBrowser.hiddenInputs(confirm), logout: 'yes' } });
      expect(browser.lastUrl).toBe(`${issuer}/?state=bye`);
    });
  });

  it('accepts HTTP Basic with an empty secret from a public client (oidc-agent does so), and still refuses it from a confidential one', async () => {
    const device = await form('/device/auth', { scope: 'openid offline_access' }, basic(DEMO.downloader.clientId, ''));
    expect(device.status).toBe(200);
    const started = (await device.json()) as oidc.DeviceAuthorizationResponse;
    await confirmDevice(started, { username: 'alice', password: DEMO.password });
    const token = await form('/token', { grant_type: DEVICE_GRANT, device_code: started.device_code }, basic(DEMO.downloader.clientId, ''));
    const tokens = (await token.json()) as { access_token: string; refresh_token: string };
    expect(token.status).toBe(200);
    const refreshed = await form('/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, basic(DEMO.downloader.clientId, ''));
    expect(refreshed.status).toBe(200);

    const confidential = await form('/token', { grant_type: 'client_credentials' }, basic(DEMO.integration.clientId, ''));
    expect(confidential.status).toBe(400);
    // Header and body naming different clients stays a mismatch.
    const mismatch = await form('/device/auth', { client_id: DEMO.mobile.clientId }, basic(DEMO.downloader.clientId, ''));
    expect(mismatch.status).toBe(400);
  });

  it('answers a device polling with an expired code expired_token (RFC 8628 §3.5)', async () => {
    const config = await discoverClient(issuer, DEMO.downloader.clientId);
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const adapter = server.gatehouse.provider.DeviceCode.adapter;
    const payload = await adapter.find(device.device_code);
    await adapter.upsert(device.device_code, { ...payload!, exp: Math.floor(Date.now() / 1000) - 5 }, -5);
    const polled = await form('/token', { grant_type: DEVICE_GRANT, device_code: device.device_code, client_id: DEMO.downloader.clientId });
    expect(polled.status).toBe(400);
    expect(await polled.json()).toMatchObject({ error: 'expired_token' });
  });

  it('answers a grant type the client is not registered for unauthorized_client (RFC 6749 §5.2)', async () => {
    const answer = await form('/token', { grant_type: 'client_credentials' }, basic(DEMO.web.clientId, DEMO.web.secret));
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ error: 'unauthorized_client', error_description: REFUSAL_WORDING.grant_type_not_registered });
  });

  it('answers introspection and revocation without client authentication 401 invalid_client (RFC 7662 §2.1)', async () => {
    for (const path of ['/token/introspection', '/token/revocation']) {
      const answer = await form(path, { token: 'whatever' });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect((await answer.json()).error).toBe('invalid_client');
    }
  });

  it('releases the standard profile claims it keeps, an acr, and claims asked for with the claims parameter', async () => {
    const { id, password } = await createUser(issuer, operator, {
      username: 'profile-claims',
      name: 'Jane Q. Doe',
      given_name: 'Jane',
      family_name: 'Doe',
      locale: 'en-GB',
      zoneinfo: 'Europe/London',
    });
    const config = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
    const claims = JSON.stringify({ userinfo: { email: { essential: true } }, id_token: { acr: { essential: false } } });
    const { tokens } = await signInWithCode(config, { username: 'profile-claims', password: password!, redirectUri: callback, scope: 'openid profile', extra: { claims } });
    const idToken = tokens.claims()!;
    expect(idToken).toMatchObject({ sub: id, name: 'Jane Q. Doe', given_name: 'Jane', family_name: 'Doe', locale: 'en-GB', zoneinfo: 'Europe/London', preferred_username: 'profile-claims', acr: ACR.singleFactor });
    expect(typeof idToken.updated_at).toBe('number');
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, id);
    // email was not in the scope: the claims parameter asked for it.
    expect(userinfo).toMatchObject({ sub: id, given_name: 'Jane', email: 'profile-claims@demo.test' });

    const discovery = config.serverMetadata();
    expect(discovery.claims_parameter_supported).toBe(true);
    expect(discovery.acr_values_supported).toEqual([ACR.singleFactor, ACR.multiFactor]);
    expect(discovery.claims_supported).toEqual(expect.arrayContaining(['given_name', 'family_name', 'locale', 'zoneinfo', 'acr']));
  });

  it('refuses a profile claim in a wrong format with a 400 naming the field', async () => {
    const answer = await adminCall(issuer, operator, 'POST', '/tenants/demo/users', { username: 'bad-locale', email: 'b@demo.test', locale: 'not a locale!', zoneinfo: 'Mars/Olympus' });
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['locale', 'zoneinfo']);
  });

  it('gives every per-grant index in Redis a lifetime', async () => {
    const redis = server.gatehouse.redis;
    if (!redis) return; // Embedded storage keeps everything in PostgreSQL.
    const config = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
    const { tokens } = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: callback, scope: 'openid' });
    const grantId = (await server.gatehouse.provider.AccessToken.find(tokens.access_token))!.grantId!;
    const ttl = await redis.redis.ttl(`oidc:grant:${grantId}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3600);
  });
});
