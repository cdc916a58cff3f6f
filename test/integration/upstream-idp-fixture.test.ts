import * as oidc from 'openid-client';
import { HttpBrowser } from '../helpers/browserless.js';
import { startUpstreamIdp, type UpstreamIdp } from '../helpers/upstream-idp.js';

// The "Microsoft Entra ID" fixture itself, driven by the real openid-client over plain HTTP:
// if it lies, every "Sign in with Microsoft" test built on it lies too.

const CONTOSO = '8a1d0c55-4c3e-4f5b-9d52-0a6f3b1c2d11';
const FABRIKAM = 'f3b2a1c0-1111-4222-8333-944455556666';
const CLIENT = { client_id: 'gatehouse-entra', client_secret: 'upstream-secret-1', redirect_uri: 'http://127.0.0.1:9/entra/callback', post_logout: 'http://127.0.0.1:9/entra/signed-out' };

let idp: UpstreamIdp;

beforeAll(async () => {
  idp = await startUpstreamIdp({
    directories: [
      {
        tid: CONTOSO,
        users: [
          { oid: 'oid-adele', username: 'adele@contoso.example', email: 'adele@contoso.example', email_verified: true, name: 'Adele Vance' },
          { oid: 'oid-megan', username: 'megan@contoso.example', name: 'Megan Bowen' },
        ],
      },
      { tid: FABRIKAM, users: [{ oid: 'oid-fab-1', username: 'lee@fabrikam.example', email: 'lee@fabrikam.example' }] },
    ],
    clients: [{ client_id: CLIENT.client_id, client_secret: CLIENT.client_secret, redirect_uris: [CLIENT.redirect_uri], post_logout_redirect_uris: [CLIENT.post_logout] }],
  });
});

afterAll(async () => {
  await idp?.close();
});

afterEach(() => {
  idp.failTokenEndpoint = false;
  idp.autoConfirmLogout = false;
});

async function relyingParty(tid: string, auth: 'basic' | 'post' = 'post'): Promise<oidc.Configuration> {
  const authentication = auth === 'basic' ? oidc.ClientSecretBasic(CLIENT.client_secret) : oidc.ClientSecretPost(CLIENT.client_secret);
  return oidc.discovery(new URL(idp.issuerOf(tid)), CLIENT.client_id, undefined, authentication, { execute: [oidc.allowInsecureRequests] });
}

interface Started {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

async function startAuthorization(config: oidc.Configuration, extra: Record<string, string> = {}): Promise<Started> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CLIENT.redirect_uri,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** Opens the authorization URL and, on the login page, submits `form` (its Sign in button unless `cancel` is set). */
async function signIn(browser: HttpBrowser, started: Started, form: Record<string, string>): Promise<string> {
  const first = await browser.go(started.url.toString(), {}, CLIENT.redirect_uri);
  if (first.startsWith(CLIENT.redirect_uri)) return first;
  expect(first).toContain('Username');
  return browser.go(new URL(HttpBrowser.formAction(first, /\/interaction\//), browser.lastUrl).toString(), { form }, CLIENT.redirect_uri);
}

function exchange(config: oidc.Configuration, callback: string, started: Started) {
  return oidc.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce });
}

describe('the upstream "Entra ID" fixture', () => {
  it('publishes one discovery document per directory, each with its own issuer under /<tid>/v2.0', async () => {
    for (const tid of [CONTOSO, FABRIKAM]) {
      expect(idp.issuerOf(tid)).toBe(`${idp.origin}/${tid}/v2.0`);
      expect(idp.discoveryUrlOf(tid)).toBe(`${idp.origin}/${tid}/v2.0/.well-known/openid-configuration`);
      const response = await fetch(idp.discoveryUrlOf(tid));
      expect(response.status).toBe(200);
      const document = (await response.json()) as Record<string, unknown>;
      expect(document.issuer).toBe(idp.issuerOf(tid));
      for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'end_session_endpoint', 'userinfo_endpoint']) {
        expect(String(document[endpoint])).toMatch(new RegExp(`^${idp.issuerOf(tid).replace(/\./g, '\\.')}/`));
      }
      expect(document.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
      expect(document.code_challenge_methods_supported).toEqual(['S256']);
    }
    expect((await fetch(`${idp.origin}/not-a-tenant/v2.0/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('signs a directory user in with code + PKCE: tid, oid, preferred_username and amr pwd in the ID token', async () => {
    const config = await relyingParty(CONTOSO);
    const before = idp.authorizations.length;
    const started = await startAuthorization(config);
    const callback = await signIn(new HttpBrowser(), started, { username: 'adele@contoso.example' });
    expect(callback.startsWith(CLIENT.redirect_uri)).toBe(true);
    expect(new URL(callback).searchParams.get('iss')).toBe(idp.issuerOf(CONTOSO));

    const tokens = await exchange(config, callback, started);
    expect(tokens.claims()).toMatchObject({
      iss: idp.issuerOf(CONTOSO),
      aud: CLIENT.client_id,
      sub: 'oid-adele',
      tid: CONTOSO,
      oid: 'oid-adele',
      preferred_username: 'adele@contoso.example',
      email: 'adele@contoso.example',
      email_verified: true,
      name: 'Adele Vance',
      amr: ['pwd'],
      nonce: started.nonce,
    });

    // The request as the fixture received it, PKCE included.
    expect(idp.authorizations.length).toBe(before + 1);
    expect(idp.authorizations[before]).toMatchObject({
      client_id: CLIENT.client_id,
      redirect_uri: CLIENT.redirect_uri,
      response_type: 'code',
      scope: 'openid profile email',
      state: started.state,
      code_challenge_method: 'S256',
      code_challenge: started.url.searchParams.get('code_challenge')!,
    });
  });

  it('puts mfa in amr when "Used MFA" is ticked, leaves out what the user lacks, and authenticates with client_secret_basic too', async () => {
    const config = await relyingParty(CONTOSO, 'basic');
    const started = await startAuthorization(config);
    const callback = await signIn(new HttpBrowser(), started, { username: 'MEGAN@contoso.example', mfa: 'yes' });
    const claims = (await exchange(config, callback, started)).claims()!;
    expect(claims).toMatchObject({ tid: CONTOSO, oid: 'oid-megan', preferred_username: 'megan@contoso.example', name: 'Megan Bowen', amr: ['pwd', 'mfa'] });
    expect(claims).not.toHaveProperty('email');
    expect(claims).not.toHaveProperty('email_verified');
  });

  it('keeps directories apart: a user of one is unknown in the other, and each has its own session', async () => {
    const browser = new HttpBrowser();
    const contoso = await relyingParty(CONTOSO);
    const first = await startAuthorization(contoso);
    await exchange(contoso, await signIn(browser, first, { username: 'adele@contoso.example' }), first);

    // Same browser, other directory: no session there, and Adele does not exist there.
    const fabrikam = await relyingParty(FABRIKAM);
    const other = await startAuthorization(fabrikam);
    const page = await browser.go(other.url.toString(), {}, CLIENT.redirect_uri);
    expect(page).toContain('Username');
    const again = await browser.go(new URL(HttpBrowser.formAction(page), browser.lastUrl).toString(), { form: { username: 'adele@contoso.example' } }, CLIENT.redirect_uri);
    expect(again).toContain('Unknown user');
    expect(again).toContain('name="username"');
    const callback = await browser.go(new URL(HttpBrowser.formAction(again), browser.lastUrl).toString(), { form: { username: 'lee@fabrikam.example' } }, CLIENT.redirect_uri);
    expect((await exchange(fabrikam, callback, other)).claims()).toMatchObject({ tid: FABRIKAM, oid: 'oid-fab-1', preferred_username: 'lee@fabrikam.example', amr: ['pwd'] });

    // Back at the first directory the session signs in without a page, with the amr of that sign-in.
    const sso = await startAuthorization(contoso);
    const back = await browser.go(sso.url.toString(), {}, CLIENT.redirect_uri);
    expect(back.startsWith(CLIENT.redirect_uri)).toBe(true);
    expect((await exchange(contoso, back, sso)).claims()).toMatchObject({ tid: CONTOSO, oid: 'oid-adele', amr: ['pwd'] });

    // prompt=login (and select_account) ask again.
    for (const prompt of ['login', 'select_account']) {
      const forced = await startAuthorization(contoso, { prompt });
      const shown = await browser.go(forced.url.toString(), {}, CLIENT.redirect_uri);
      expect(shown).toContain('Used MFA');
      const done = await browser.go(new URL(HttpBrowser.formAction(shown), browser.lastUrl).toString(), { form: { username: 'megan@contoso.example', mfa: 'yes' } }, CLIENT.redirect_uri);
      expect((await exchange(contoso, done, forced)).claims()).toMatchObject({ oid: 'oid-megan', amr: ['pwd', 'mfa'] });
    }
  });

  it('answers Cancel with error=access_denied at the redirect_uri', async () => {
    const config = await relyingParty(CONTOSO);
    const started = await startAuthorization(config);
    const callback = await signIn(new HttpBrowser(), started, { username: '', cancel: 'yes' });
    const params = new URL(callback).searchParams;
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe(started.state);
    await expect(exchange(config, callback, started)).rejects.toMatchObject({ error: 'access_denied' });
  });

  it('fails the code exchange while failTokenEndpoint is set, and only then', async () => {
    const config = await relyingParty(CONTOSO);
    const started = await startAuthorization(config);
    const callback = await signIn(new HttpBrowser(), started, { username: 'adele@contoso.example' });
    idp.failTokenEndpoint = true;
    await expect(exchange(config, callback, started)).rejects.toThrow();
    const raw = await fetch(config.serverMetadata().token_endpoint!, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code' }) });
    expect(raw.status).toBe(500);
    // The code was never redeemed: once the endpoint is back it still works.
    idp.failTokenEndpoint = false;
    expect((await exchange(config, callback, started)).claims()).toMatchObject({ oid: 'oid-adele' });
  });

  it('records RP-initiated logout, asks "Yes, sign me out" and ends at post_logout_redirect_uri with the state', async () => {
    const config = await relyingParty(CONTOSO);
    const browser = new HttpBrowser();
    const started = await startAuthorization(config);
    const tokens = await exchange(config, await signIn(browser, started, { username: 'adele@contoso.example' }), started);

    const before = idp.logouts.length;
    const state = oidc.randomState();
    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: CLIENT.post_logout, state });
    const confirm = await browser.go(endSession.toString(), {}, CLIENT.post_logout);
    expect(confirm).toContain('Yes, sign me out');
    expect(idp.logouts.slice(before)).toEqual([{ client_id: CLIENT.client_id, id_token_hint: tokens.id_token!, post_logout_redirect_uri: CLIENT.post_logout, state }]);

    const landed = await browser.go(new URL(HttpBrowser.formAction(confirm), browser.lastUrl).toString(), { form: HttpBrowser.hiddenInputs(confirm) }, CLIENT.post_logout);
    expect(landed).toBe(`${CLIENT.post_logout}?state=${state}`);

    // The directory's session is gone: the next authorization shows the form again.
    const next = await startAuthorization(config);
    expect(await browser.go(next.url.toString(), {}, CLIENT.redirect_uri)).toContain('Used MFA');
  });

  it('confirms logout by itself when autoConfirmLogout is set, or when there is no session (client_id only)', async () => {
    const config = await relyingParty(CONTOSO);
    const browser = new HttpBrowser();
    const started = await startAuthorization(config);
    await exchange(config, await signIn(browser, started, { username: 'megan@contoso.example' }), started);

    idp.autoConfirmLogout = true;
    const first = oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: CLIENT.post_logout, state: 'one' });
    expect(await browser.go(first.toString(), {}, CLIENT.post_logout)).toBe(`${CLIENT.post_logout}?state=one`);

    idp.autoConfirmLogout = false;
    const before = idp.logouts.length;
    const second = oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: CLIENT.post_logout, state: 'two' });
    expect(await new HttpBrowser().go(second.toString(), {}, CLIENT.post_logout)).toBe(`${CLIENT.post_logout}?state=two`);
    expect(idp.logouts.slice(before)).toEqual([{ client_id: CLIENT.client_id, post_logout_redirect_uri: CLIENT.post_logout, state: 'two' }]);
  });
});
