import { startOperatorGatehouse } from '../helpers/operator-gatehouse.js';
import { webcrypto } from 'node:crypto';
import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { REFUSAL_WORDING } from '../../src/entrypoints/oidc/refusal-wording.js';
import { adminCall, createUser } from '../helpers/admin-api.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { verifyJwt } from '../helpers/jwt.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import type { TestGatehouse } from '../helpers/test-gatehouse.js';

const API = 'https://api.clinic.example';

/**
 * What relying parties register beside their redirect URIs, through the admin API, and what the
 * provider then does with it: logout URIs, token endpoint authentication (private_key_jwt with
 * registered keys), ID token algorithm, default max_age, auth_time, PKCE, and JWT access tokens
 * (RFC 9068) for the APIs a client names (RFC 8707).
 */
describe('client registration for relying parties', () => {
  let server: TestGatehouse;
  let issuer: string;
  let callback: string;
  let operator: string;

  beforeAll(async () => {
    ({ server, issuer, operator } = await startOperatorGatehouse());
    callback = `${issuer}${DEMO.callbackPath}`;
  });
  afterAll(async () => server?.stop());

  const admin = (method: string, path: string, body?: unknown) => adminCall(issuer, operator, method, path, body);
  const create = (body: Record<string, unknown>) => admin('POST', '/tenants/demo/clients', body);
  const fieldsOf = (answer: { body: { errors?: { field: string; message: string }[] } }) => (answer.body.errors ?? []).map((e) => e.field);

  /** A key pair the client keeps, with the public JWK it registers. */
  async function clientKeys() {
    const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const jwk = { ...(await webcrypto.subtle.exportKey('jwk', pair.publicKey)), kid: 'app-key-1', use: 'sig' };
    return { privateKey: pair.privateKey, jwk };
  }

  describe('registering', () => {
    it('stores every setting, shows it, and puts one back to its default with null', async () => {
      const created = await create({
        kind: 'web',
        name: 'Scheduling',
        redirect_uris: ['https://sched.example/cb'],
        post_logout_redirect_uris: ['https://sched.example/signed-out'],
        backchannel_logout_uri: 'https://sched.example/backchannel',
        token_endpoint_auth_method: 'client_secret_post',
        default_max_age: 3600,
        require_auth_time: true,
        require_pkce: false,
        access_token_format: 'jwt',
        resources: [{ uri: API, scopes: ['orders:read'] }],
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        post_logout_redirect_uris: ['https://sched.example/signed-out'],
        backchannel_logout_uri: 'https://sched.example/backchannel',
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'RS256',
        default_max_age: 3600,
        require_auth_time: true,
        require_pkce: false,
        access_token_format: 'jwt',
        resources: [{ uri: API, scopes: ['orders:read'] }],
        jwks: null,
      });
      const path = `/tenants/demo/clients/${created.body.client_id}`;
      const changed = await admin('PATCH', path, { require_pkce: null, backchannel_logout_uri: null, post_logout_redirect_uris: ['https://sched.example/bye'] });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ require_pkce: true, backchannel_logout_uri: null, post_logout_redirect_uris: ['https://sched.example/bye'], default_max_age: 3600 });
      expect((await admin('GET', path)).body).toMatchObject({ require_pkce: true, token_endpoint_auth_method: 'client_secret_post' });
    });

    it('shows public kinds with their fixed settings', async () => {
      const mobile = await create({ kind: 'mobile', name: 'App', redirect_uris: ['com.example.app:/cb'], post_logout_redirect_uris: ['com.example.app:/bye'] });
      expect(mobile.body).toMatchObject({ token_endpoint_auth_method: 'none', require_pkce: true, post_logout_redirect_uris: ['com.example.app:/bye'] });
    });

    it('explains why client_secret_jwt is not offered', async () => {
      const answer = await create({ kind: 'web', name: 'x', redirect_uris: ['https://x.example/cb'], token_endpoint_auth_method: 'client_secret_jwt' });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([{ field: 'token_endpoint_auth_method', message: expect.stringMatching(/keeps only a digest of client secrets.*private_key_jwt/) }]);
    });

    it.each([
      ['private_key_jwt without keys', { kind: 'integration', token_endpoint_auth_method: 'private_key_jwt' }, ['jwks']],
      ['a private key', { kind: 'integration', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, ['jwks.keys.0']],
      ['a public client with a secret method', { kind: 'mobile', redirect_uris: ['com.example.app:/cb'], token_endpoint_auth_method: 'client_secret_basic' }, ['token_endpoint_auth_method']],
      ['a mobile app turning PKCE off', { kind: 'mobile', redirect_uris: ['com.example.app:/cb'], require_pkce: false }, ['require_pkce']],
      ['a mobile app with a back-channel logout URI', { kind: 'mobile', redirect_uris: ['com.example.app:/cb'], backchannel_logout_uri: 'https://x.example/bc' }, ['backchannel_logout_uri']],
      ['a back-channel logout URI over http to another host', { kind: 'web', redirect_uris: ['https://x.example/cb'], backchannel_logout_uri: 'http://x.example/bc' }, ['backchannel_logout_uri']],
      ['a post-logout redirect URI with a fragment', { kind: 'web', redirect_uris: ['https://x.example/cb'], post_logout_redirect_uris: ['https://x.example/#bye'] }, ['post_logout_redirect_uris.0']],
      ['post-logout redirect URIs for a downloader', { kind: 'downloader', post_logout_redirect_uris: ['https://x.example/bye'] }, ['post_logout_redirect_uris']],
      ['unsigned ID tokens', { kind: 'web', redirect_uris: ['https://x.example/cb'], id_token_signed_response_alg: 'none' }, ['id_token_signed_response_alg']],
      ['an algorithm the keys cannot sign with', { kind: 'web', redirect_uris: ['https://x.example/cb'], id_token_signed_response_alg: 'HS256' }, ['id_token_signed_response_alg']],
      ['auth_time for an integration', { kind: 'integration', require_auth_time: true, default_max_age: 60 }, ['default_max_age', 'require_auth_time']],
      ['JWT access tokens without an API', { kind: 'integration', access_token_format: 'jwt' }, ['access_token_format']],
      ['an API scope named like a Gatehouse scope', { kind: 'integration', resources: [{ uri: API, scopes: ['openid'] }] }, ['resources.0.scopes.0']],
      ['an API that is not an absolute https URI', { kind: 'integration', resources: [{ uri: 'api.example', scopes: ['a'] }] }, ['resources.0.uri']],
      ['a negative default_max_age', { kind: 'web', redirect_uris: ['https://x.example/cb'], default_max_age: -1 }, ['default_max_age']],
    ])('refuses %s with a 400 naming the field', async (_what, body, fields) => {
      const answer = await create({ name: 'x', ...body });
      expect(answer.status).toBe(400);
      expect(fieldsOf(answer).sort()).toEqual(fields);
    });

    it('checks a change together with what it leaves in place', async () => {
      const created = await create({ kind: 'integration', name: 'Lab feed' });
      const answer = await admin('PATCH', `/tenants/demo/clients/${created.body.client_id}`, { token_endpoint_auth_method: 'private_key_jwt' });
      expect(answer.status).toBe(400);
      expect(fieldsOf(answer)).toEqual(['jwks']);
    });

    it('publishes the settings in the OpenAPI document', async () => {
      const document = await (await fetch(`${issuer}/admin/v1/openapi.json`)).json();
      const properties = Object.keys(document.components.schemas.UpdateClient.properties);
      expect(properties).toEqual(expect.arrayContaining(['post_logout_redirect_uris', 'backchannel_logout_uri', 'token_endpoint_auth_method', 'jwks', 'id_token_signed_response_alg', 'default_max_age', 'require_auth_time', 'require_pkce', 'access_token_format', 'resources']));
    });
  });

  describe('what the provider does with it', () => {
    it('authenticates a client with private_key_jwt against its registered keys, and refuses another method', async () => {
      const keys = await clientKeys();
      const created = await create({ kind: 'integration', name: 'Signed', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [keys.jwk] } });
      expect(created.status).toBe(201);
      const config = await oidc.discovery(new URL(issuer), created.body.client_id, undefined, oidc.PrivateKeyJwt({ key: keys.privateKey, kid: 'app-key-1' }), { execute: [oidc.allowInsecureRequests] });
      expect((await oidc.clientCredentialsGrant(config, { scope: 'openid' })).access_token).toEqual(expect.any(String));
      await expect(oidc.clientCredentialsGrant(await discoverClient(issuer, created.body.client_id, created.body.client_secret))).rejects.toMatchObject({ status: 401 });

      const stranger = await clientKeys();
      const forged = await oidc.discovery(new URL(issuer), created.body.client_id, undefined, oidc.PrivateKeyJwt({ key: stranger.privateKey, kid: 'app-key-1' }), { execute: [oidc.allowInsecureRequests] });
      await expect(oidc.clientCredentialsGrant(forged)).rejects.toMatchObject({ error: 'invalid_client' });
      expect(created.body.client_secret).toEqual(expect.any(String));
    });

    it('authenticates a client_secret_post client with the secret in the body', async () => {
      const created = await create({ kind: 'integration', name: 'Posting', token_endpoint_auth_method: 'client_secret_post' });
      const config = await oidc.discovery(new URL(issuer), created.body.client_id, undefined, oidc.ClientSecretPost(created.body.client_secret), { execute: [oidc.allowInsecureRequests] });
      expect((await oidc.clientCredentialsGrant(config)).access_token).toEqual(expect.any(String));
    });

    it('puts auth_time in every ID token of a client that requires it, and asks for the password again past its default_max_age', async () => {
      const created = await create({ kind: 'web', name: 'Strict', redirect_uris: [callback], require_auth_time: true, default_max_age: 1 });
      const config = await discoverClient(issuer, created.body.client_id, created.body.client_secret);
      const { tokens, browser } = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: callback, scope: 'openid' });
      expect(tokens.claims()!.auth_time).toEqual(expect.any(Number));
      // auth_time has whole seconds, and the sign-in must be more than max_age old.
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: callback, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
      expect(await browser.go(url.toString(), {}, callback)).toMatch(/name="password"/);
    });
  });

  describe('JWT access tokens for an API (RFC 9068, RFC 8707)', () => {
    async function apiClient(format: 'jwt' | 'opaque') {
      const created = await create({ kind: 'integration', name: `Orders ${format}`, access_token_format: format, resources: [{ uri: API, scopes: ['orders:read', 'orders:write'] }] });
      expect(created.status).toBe(201);
      return { id: created.body.client_id as string, config: await discoverClient(issuer, created.body.client_id, created.body.client_secret) };
    }

    it('issues a JWT for the API that the API can verify with the JWKS, while introspection still tells a revoked one', async () => {
      const { id, config } = await apiClient('jwt');
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'orders:read', resource: API });
      expect(tokens.expires_in).toBe(600);
      const { header, claims } = await verifyJwt(issuer, tokens.access_token);
      expect(header).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
      expect(claims).toMatchObject({ iss: issuer, aud: API, client_id: id, sub: id, scope: 'orders:read' });
      expect((claims.exp as number) - (claims.iat as number)).toBe(600);

      expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({ active: true, aud: API, scope: 'orders:read' });
      await oidc.tokenRevocation(config, tokens.access_token);
      expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    });

    it('keeps tokens opaque without a resource, or for a client that did not ask for JWTs', async () => {
      const jwtClient = await apiClient('jwt');
      const plain = await oidc.clientCredentialsGrant(jwtClient.config, { scope: 'openid' });
      expect(plain.access_token.split('.')).toHaveLength(1);
      const opaqueClient = await apiClient('opaque');
      const forApi = await oidc.clientCredentialsGrant(opaqueClient.config, { scope: 'orders:write', resource: API });
      expect(forApi.access_token.split('.')).toHaveLength(1);
      expect(await oidc.tokenIntrospection(opaqueClient.config, forApi.access_token)).toMatchObject({ active: true, aud: API, scope: 'orders:write' });
    });

    it('refuses an API the client is not registered for, saying so', async () => {
      const { config } = await apiClient('jwt');
      await expect(oidc.clientCredentialsGrant(config, { scope: 'orders:read', resource: 'https://elsewhere.example' })).rejects.toMatchObject({ error: 'invalid_target', error_description: REFUSAL_WORDING.resource_not_registered });
    });

    it('gives a signed-in user a JWT for the API and an opaque token for userinfo from one authorization', async () => {
      const created = await create({ kind: 'web', name: 'Portal', redirect_uris: [callback], access_token_format: 'jwt', resources: [{ uri: API, scopes: ['orders:read'] }] });
      const config = await discoverClient(issuer, created.body.client_id, created.body.client_secret);
      const browser = new HttpBrowser();
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: callback, scope: 'openid profile orders:read offline_access', resource: API, prompt: 'consent', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
      const page = await browser.go(url.toString(), {}, callback);
      const landed = await browser.go(new URL(HttpBrowser.formAction(page, /login$/), issuer).toString(), { form: { username: 'alice', password: DEMO.password } }, callback);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(landed), { pkceCodeVerifier: verifier }, { resource: API });
      const { claims } = await verifyJwt(issuer, tokens.access_token);
      expect(claims).toMatchObject({ aud: API, scope: 'orders:read', sub: tokens.claims()!.sub, client_id: created.body.client_id });

      const forUserinfo = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      expect(forUserinfo.access_token.split('.')).toHaveLength(1);
      expect((await oidc.fetchUserInfo(config, forUserinfo.access_token, tokens.claims()!.sub)).preferred_username).toBe('alice');
      const again = await oidc.refreshTokenGrant(config, forUserinfo.refresh_token!, { resource: API });
      expect((await verifyJwt(issuer, again.access_token)).claims).toMatchObject({ aud: API });
    });

    it("answers a signed-out user's JWT inactive at introspection, though its signature still verifies until it expires", async () => {
      const created = await create({ kind: 'web', name: 'Portal 2', redirect_uris: [callback], access_token_format: 'jwt', resources: [{ uri: API, scopes: ['orders:read'] }] });
      const config = await discoverClient(issuer, created.body.client_id, created.body.client_secret);
      const { id, password } = await createUser(issuer, operator, { username: 'jwt-signed-out' });
      const browser = new HttpBrowser();
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: callback, scope: 'openid orders:read', resource: API, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
      const page = await browser.go(url.toString(), {}, callback);
      const landed = await browser.go(new URL(HttpBrowser.formAction(page, /login$/), issuer).toString(), { form: { username: 'jwt-signed-out', password: password! } }, callback);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(landed), { pkceCodeVerifier: verifier }, { resource: API });
      expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(true);

      expect((await admin('POST', `/tenants/demo/users/${id}/sign-out`)).status).toBe(200);
      expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
      // The trade-off README states: an API that only checks the signature still accepts it.
      await expect(verifyJwt(issuer, tokens.access_token)).resolves.toBeDefined();
    });

    it('answers a JWT it did not sign inactive', async () => {
      const { config } = await apiClient('jwt');
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'orders:read', resource: API });
      const [header, payload] = tokens.access_token.split('.');
      const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
      expect((await oidc.tokenIntrospection(config, forged)).active).toBe(false);
    });

    it('never lets an API token into the admin API', async () => {
      const { config } = await apiClient('jwt');
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'orders:read', resource: API });
      const answer = await adminCall(issuer, tokens.access_token, 'GET', '/tenants/demo/clients');
      expect([401, 403]).toContain(answer.status);
    });
  });
});
