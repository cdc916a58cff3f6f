import { HttpBrowser } from '../helpers/browserless.js';
import { ConformanceSuite, random } from '../helpers/conformance-client.js';
import { verifyLogoutToken } from '../helpers/logout-receiver.js';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * The OpenID Foundation's "Back-Channel OP" certification test plan
 * (oidcc-backchannel-rp-initiated-logout-certification-test-plan, discovery,
 * client_secret_basic): oidcc-backchannel-logout-discovery-endpoint-verification and
 * oidcc-backchannel-rp-initiated-logout, with the logout token checked as ValidateLogoutTokenClaims
 * and the conditions after it check it.
 */
describe('OpenID Foundation Back-Channel Logout OP test plan (mirrored)', () => {
  const suite = new ConformanceSuite();
  beforeAll(() => suite.start());
  afterAll(() => suite.stop());

  it('oidcc-backchannel-logout-discovery-endpoint-verification', () => {
    expect(suite.discovery.backchannel_logout_supported).toBe(true);
    expect(suite.discovery.backchannel_logout_session_supported).toBe(true);
    expect(new URL(suite.discovery.end_session_endpoint).origin).toBe(new URL(suite.issuer).origin);
  });

  it('oidcc-backchannel-rp-initiated-logout', async () => {
    const browser = new HttpBrowser();
    const { tokens, claims } = await suite.happyFlow(browser);
    expect(claims.sid).toEqual(expect.any(String));
    const idHeader = JSON.parse(Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString());

    const state = random();
    suite.rp.received.length = 0;
    const { landed } = await suite.logout(browser, { id_token_hint: tokens.id_token, post_logout_redirect_uri: suite.postLogoutRedirectUri, state });
    expect(landed!.searchParams.get('state')).toBe(state);

    const [token] = await suite.rp.tokens(1);
    // ValidateLogoutTokenSignature: the algorithm of the client's ID tokens, a key of the JWKS.
    const { header, claims: logout } = await verifyLogoutToken(suite.issuer, token!);
    expect(header.alg).toBe(idHeader.alg);
    expect(header.typ).toBe('logout+jwt');
    // ValidateLogoutTokenClaims
    const now = Math.floor(Date.now() / 1000);
    expect(logout.iss).toBe(suite.issuer);
    expect(logout.aud).toBe(suite.basic.id);
    expect(logout.iat).toBeLessThanOrEqual(now + 5);
    expect(logout.iat).toBeGreaterThan(now - 24 * 3600);
    expect(logout.jti).toEqual(expect.any(String));
    expect(logout.events).toEqual({ [LOGOUT_EVENT]: {} });
    // CheckIdTokenSubMatchesLogoutToken, CheckIdTokenSidMatchesLogoutToken, CheckLogoutTokenNoNonce, CheckLogoutTokenHasSubOrSid
    expect(logout.sub).toBe(claims.sub);
    expect(logout.sid).toBe(claims.sid);
    expect('nonce' in logout).toBe(false);

    const { callback } = await suite.authorize(browser, suite.authorizationUrl({ prompt: 'none' }));
    expect(callback?.searchParams.get('error')).toBe('login_required');
  });
});
