import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { startTestGatehouse, storageKinds, type TestGatehouse } from '../helpers/test-gatehouse.js';

/** Signing keys, cookie keys, grants and refresh tokens survive a restart: nobody is signed out. */
describe.each(storageKinds())('restart on %s storage', (storage) => {
  let server: TestGatehouse;

  beforeAll(async () => {
    // The embedded database must live on disk (DATA_DIR) to survive, as with `npm start`.
    server = await startTestGatehouse(storage, { gatehouse: { embeddedInMemory: false } });
  });
  afterAll(async () => server?.stop());

  it('keeps refresh tokens, ID token keys and browser sessions working across a restart', async () => {
    const redirectUri = `${server.issuer}${DEMO.callbackPath}`;
    const before = await discoverClient(server.issuer, DEMO.mobile.clientId);
    const { tokens, browser } = await signInWithCode(before, { username: 'alice', password: DEMO.password, redirectUri });
    const { keys: keysBefore } = await (await fetch(`${server.issuer}/jwks`)).json();

    await server.restart();

    const after = await discoverClient(server.issuer, DEMO.mobile.clientId);
    const refreshed = await oidc.refreshTokenGrant(after, tokens.refresh_token!);
    expect(refreshed.claims()!.sub).toBe(tokens.claims()!.sub);
    const { keys: keysAfter } = await (await fetch(`${server.issuer}/jwks`)).json();
    expect(keysAfter).toEqual(keysBefore);

    // The browser session cookie still signs the user in without a password.
    const url = oidc.buildAuthorizationUrl(after, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    expect(await browser.go(url.toString(), {}, redirectUri)).toMatch(/code=/);
  });
});
