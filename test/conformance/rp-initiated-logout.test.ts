import { HttpBrowser } from '../helpers/browserless.js';
import { ConformanceSuite, random } from '../helpers/conformance-client.js';

/**
 * The OpenID Foundation's "RP-Initiated Logout OP" certification test plan
 * (oidcc-rp-initiated-logout-certification-test-plan, discovery, client_secret_basic), module by
 * module: oidcc-rp-initiated-logout-discovery-endpoint-verification, oidcc-rp-initiated-logout,
 * oidcc-rp-initiated-logout-bad-post-logout-redirect-uri,
 * oidcc-rp-initiated-logout-modified-id-token-hint, oidcc-rp-initiated-logout-no-id-token-hint,
 * oidcc-rp-initiated-logout-no-params, oidcc-rp-initiated-logout-no-post-logout-redirect-uri,
 * oidcc-rp-initiated-logout-no-state, oidcc-rp-initiated-logout-only-state. Where the suite
 * asks for a screenshot ("you are logged out", an error, or a confirmation), the page's words
 * are checked instead; the person confirms the sign-out where Gatehouse asks.
 */
describe('OpenID Foundation RP-Initiated Logout OP test plan (mirrored)', () => {
  const suite = new ConformanceSuite();
  beforeAll(() => suite.start());
  afterAll(() => suite.stop());

  /** A fresh browser signed in through the suite's client, with its ID token. */
  async function signedIn(): Promise<{ browser: HttpBrowser; idToken: string }> {
    const browser = new HttpBrowser();
    const { tokens } = await suite.happyFlow(browser);
    return { browser, idToken: tokens.id_token! };
  }

  /** The suite's closing check: prompt=none must now fail, as the person is signed out. */
  async function expectSignedOut(browser: HttpBrowser): Promise<void> {
    const { callback } = await suite.authorize(browser, suite.authorizationUrl({ prompt: 'none' }));
    expect(callback?.searchParams.get('error')).toBe('login_required');
  }

  async function expectStillSignedIn(browser: HttpBrowser): Promise<void> {
    const { callback } = await suite.authorize(browser, suite.authorizationUrl({ prompt: 'none' }));
    expect(callback?.searchParams.get('code')).toEqual(expect.any(String));
  }

  it('oidcc-rp-initiated-logout-discovery-endpoint-verification', () => {
    expect(new URL(suite.discovery.end_session_endpoint).origin).toBe(new URL(suite.issuer).origin);
  });

  it('oidcc-rp-initiated-logout', async () => {
    const { browser, idToken } = await signedIn();
    const state = random();
    const { landed } = await suite.logout(browser, { id_token_hint: idToken, post_logout_redirect_uri: suite.postLogoutRedirectUri, state });
    expect(landed?.origin + landed!.pathname).toBe(suite.postLogoutRedirectUri);
    // CheckPostLogoutState, CheckForUnexpectedParametersInPostLogoutRedirect
    expect([...landed!.searchParams.keys()]).toEqual(['state']);
    expect(landed!.searchParams.get('state')).toBe(state);
    await expectSignedOut(browser);
  });

  it('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri', async () => {
    const { browser, idToken } = await signedIn();
    const { landed, page } = await suite.logout(new HttpBrowser(), { id_token_hint: idToken, post_logout_redirect_uri: `${suite.base}/not-registered`, state: random() });
    expect(landed).toBeUndefined();
    expect(page).toMatch(/post_logout_redirect_uri|not registered/i);
    await expectStillSignedIn(browser);
  });

  it('oidcc-rp-initiated-logout-modified-id-token-hint', async () => {
    const { browser, idToken } = await signedIn();
    const [, payload] = idToken.split('.');
    const modified = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    const { landed, page } = await suite.logout(browser, { id_token_hint: modified, post_logout_redirect_uri: suite.postLogoutRedirectUri, state: random() });
    expect(landed).toBeUndefined();
    expect(page).toMatch(/id_token_hint|cannot be completed|cannot continue/i);
  });

  it('oidcc-rp-initiated-logout-no-id-token-hint', async () => {
    const { browser } = await signedIn();
    const { landed, page } = await suite.logout(browser, { post_logout_redirect_uri: suite.postLogoutRedirectUri, state: random() });
    // Not sent back: without id_token_hint (or client_id) nobody vouches for the address. The
    // person is asked to confirm, and stays on Gatehouse's page.
    expect(landed).toBeUndefined();
    expect(page).toMatch(/You are signed out/);
  });

  it('oidcc-rp-initiated-logout-no-params', async () => {
    const { browser } = await signedIn();
    const { landed, page } = await suite.logout(browser, {});
    expect(landed).toBeUndefined();
    expect(page).toMatch(/You are signed out/);
    await expectSignedOut(browser);
  });

  it('oidcc-rp-initiated-logout-no-post-logout-redirect-uri', async () => {
    const { browser, idToken } = await signedIn();
    const { landed, page } = await suite.logout(browser, { id_token_hint: idToken });
    expect(landed).toBeUndefined();
    expect(page).toMatch(/You are signed out/);
    await expectSignedOut(browser);
  });

  it('oidcc-rp-initiated-logout-no-state', async () => {
    const { browser, idToken } = await signedIn();
    const { landed } = await suite.logout(browser, { id_token_hint: idToken, post_logout_redirect_uri: suite.postLogoutRedirectUri });
    expect(landed?.toString()).toBe(suite.postLogoutRedirectUri);
    await expectSignedOut(browser);
  });

  it('oidcc-rp-initiated-logout-only-state', async () => {
    const { browser } = await signedIn();
    const { landed, page } = await suite.logout(browser, { state: random() });
    expect(landed).toBeUndefined();
    expect(page).toMatch(/You are signed out/);
    await expectSignedOut(browser);
  });
});
