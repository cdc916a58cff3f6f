import path from 'node:path';
import * as oauth from 'oauth4webapi';
import { HttpBrowser } from '../helpers/browserless.js';
import { RunningProcess } from '../helpers/child-process.js';
import { freePort } from '../helpers/test-gatehouse.js';
import { PERSON, ThirdPartyHarness } from '../helpers/third-party.js';

/**
 * Node relying parties from npm, each configured as its own documentation shows and nothing
 * else: oauth4webapi (in this process, a low-level library) and passport-openidconnect (an
 * Express app in its own process).
 */
describe('Node relying parties from npm', () => {
  const gatehouse = new ThirdPartyHarness();
  beforeAll(() => gatehouse.start());
  afterAll(() => gatehouse.stop());

  it('oauth4webapi: discovery, code flow with PKCE and nonce, userinfo, refresh, RP-initiated logout', async () => {
    const redirectUri = 'http://127.0.0.1:9/callback';
    const postLogout = 'http://127.0.0.1:9/signed-out';
    const registered = await gatehouse.register({ kind: 'web', name: 'oauth4webapi app', redirect_uris: [redirectUri], post_logout_redirect_uris: [postLogout], scopes: ['openid', 'profile', 'email', 'offline_access'] });
    // The test server speaks http; oauth4webapi insists on https unless told otherwise.
    const insecure = { [oauth.allowInsecureRequests]: true };
    const issuer = new URL(gatehouse.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
    const client: oauth.Client = { client_id: registered.client_id };
    const clientAuth = oauth.ClientSecretBasic(registered.client_secret!);

    const verifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid profile email offline_access',
      prompt: 'consent',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    }).toString();

    const browser = new HttpBrowser();
    const callback = await gatehouse.signInIfAsked(browser, await browser.go(url.toString(), {}, redirectUri), redirectUri);
    const params = oauth.validateAuthResponse(as, client, new URL(callback), state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(claims.sub).toBe(gatehouse.userId);

    const userinfo = await oauth.processUserInfoResponse(as, client, claims.sub, await oauth.userInfoRequest(as, client, tokens.access_token, insecure));
    expect(userinfo).toMatchObject({ preferred_username: PERSON.username, email: PERSON.email });

    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token!, insecure));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(oauth.getValidatedIdTokenClaims(refreshed)?.sub).toBe(claims.sub);

    const logout = new URL(as.end_session_endpoint!);
    logout.search = new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: postLogout, state: 'bye' }).toString();
    const landed = await gatehouse.confirmSignOut(browser, await browser.go(logout.toString(), {}, postLogout), postLogout);
    expect(landed).toBe(`${postLogout}?state=bye`);
  });

  it('passport-openidconnect: an Express app signs in, refreshes and logs out', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const registered = await gatehouse.register({
      kind: 'web',
      name: 'Passport app',
      redirect_uris: [`${base}/cb`],
      post_logout_redirect_uris: [`${base}/signed-out`],
      token_endpoint_auth_method: 'client_secret_post',
      require_pkce: false,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
    });
    const app = RunningProcess.start('passport app', process.execPath, [path.resolve('test/third-party/relying-parties/passport-app.mjs')], {
      env: { ISSUER: gatehouse.issuer, CLIENT_ID: registered.client_id, CLIENT_SECRET: registered.client_secret!, PORT: String(port) },
    });
    try {
      await app.nextLine(/"listening"/);
      const browser = new HttpBrowser();
      const profile = JSON.parse(await gatehouse.signInIfAsked(browser, await browser.go(`${base}/login`)));
      expect(profile).toEqual({ sub: gatehouse.userId, username: PERSON.username, email: PERSON.email, issuer: gatehouse.issuer, hasRefreshToken: true });

      expect(JSON.parse(await browser.go(`${base}/refresh`))).toEqual({ refreshed: true, rotated: true });

      const landed = await gatehouse.confirmSignOut(browser, await browser.go(`${base}/logout`));
      expect(JSON.parse(landed)).toEqual({ signedOut: true, state: 'bye' });
      // Signed out of both: the app's profile page sends the browser to Gatehouse's password page.
      expect(await browser.go(`${base}/profile`)).toMatch(/name="password"/);
    } finally {
      await app.stop();
    }
  });
});
