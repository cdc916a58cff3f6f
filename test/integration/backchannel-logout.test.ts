import * as oidc from 'openid-client';
import { HttpBrowser } from '../helpers/browserless.js';
import { LogoutReceiver, verifyLogoutToken } from '../helpers/logout-receiver.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { SignInHarness } from '../helpers/sign-in-harness.js';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * OpenID Connect Back-Channel Logout 1.0: a web app that registered a backchannel_logout_uri is
 * sent a signed logout token whenever a session of its user ends, through the durable queue.
 */
describe('back-channel logout', () => {
  const harness = new SignInHarness();
  const app = new LogoutReceiver();
  let tenant: string;
  let clientId: string;
  let rp: oidc.Configuration;
  let callback: string;

  beforeAll(async () => {
    await harness.start();
    await app.start();
    tenant = await harness.tenant({});
    callback = app.url.replace('/backchannel-logout', '/callback');
    const created = await harness.admin('POST', `/tenants/${tenant}/clients`, {
      kind: 'web',
      name: 'Rostering',
      redirect_uris: [callback],
      post_logout_redirect_uris: [`${callback}/signed-out`],
      backchannel_logout_uri: app.url,
      scopes: ['openid', 'profile'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ backchannel_logout_uri: app.url, post_logout_redirect_uris: [`${callback}/signed-out`] });
    clientId = created.body.client_id;
    rp = await discoverClient(harness.issuer, clientId, created.body.client_secret);
  });
  afterAll(async () => {
    await harness.stop();
    await app.stop();
  });
  beforeEach(() => {
    app.received.length = 0;
    app.status = 200;
  });

  const signIn = async (username: string) => signInWithCode(rp, { username, password: 'amber-lantern-42', redirectUri: callback, scope: 'openid profile' });

  it('sends a signed logout token naming the session when the person signs out at the end-session endpoint', async () => {
    const { id } = await harness.user(tenant, 'bcl-rp');
    const { tokens, browser } = await signIn('bcl-rp');
    const sid = tokens.claims()!.sid as string;
    expect(sid).toEqual(expect.any(String));

    const confirm = await browser.go(oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${callback}/signed-out`, state: 's1' }).toString());
    const landed = await browser.go(new URL(HttpBrowser.formAction(confirm), harness.issuer).toString(), { form: { ...HttpBrowser.hiddenInputs(confirm), logout: 'yes' } }, callback);
    expect(landed).toBe(`${callback}/signed-out?state=s1`);

    const [token] = await app.tokens(1);
    const { header, claims } = await verifyLogoutToken(harness.issuer, token!);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'logout+jwt' });
    expect(claims).toMatchObject({ iss: harness.issuer, aud: clientId, sub: id, sid, events: { [LOGOUT_EVENT]: {} } });
    expect(claims.nonce).toBeUndefined();
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(120);
    expect(claims.jti).toEqual(expect.any(String));
  });

  it('tells the app of every session when an administrator signs the user out everywhere, and the answer says the app took it', async () => {
    const { id } = await harness.user(tenant, 'bcl-everywhere');
    const first = await signIn('bcl-everywhere');
    const second = await signIn('bcl-everywhere');
    const sids = [first.tokens.claims()!.sid, second.tokens.claims()!.sid];

    const answer = await harness.admin('POST', `/tenants/${tenant}/users/${id}/sign-out`);
    expect(answer.status).toBe(200);
    expect(answer.body.logout_notices).toEqual([{ client_id: clientId, client_name: 'Rostering', status: 'delivered' }]);
    const received = await Promise.all((await app.tokens(2)).map((t) => verifyLogoutToken(harness.issuer, t)));
    expect(received.map((t) => t.claims.sid).sort()).toEqual([...sids].sort());
    for (const token of received) expect(token.claims).toMatchObject({ sub: id, aud: clientId });
  });

  it('tells the app when an administrator sets the password or disables the account', async () => {
    const { id } = await harness.user(tenant, 'bcl-password');
    await signIn('bcl-password');
    const set = await harness.admin('PUT', `/tenants/${tenant}/users/${id}/password`, { password: 'copper-harbour-77' });
    expect(set.status).toBe(200);
    expect(set.body.logout_notices).toEqual([{ client_id: clientId, client_name: 'Rostering', status: 'delivered' }]);

    await signInWithCode(rp, { username: 'bcl-password', password: 'copper-harbour-77', redirectUri: callback, scope: 'openid' });
    const disabled = await harness.admin('PATCH', `/tenants/${tenant}/users/${id}`, { disabled: true });
    expect(disabled.status).toBe(200);
    expect(disabled.body.signed_out.logout_notices).toEqual([{ client_id: clientId, client_name: 'Rostering', status: 'delivered' }]);
    expect(app.received).toHaveLength(2);
  });

  it('reports an app that refuses the token as failed, and one that does not answer as still being tried', async () => {
    const { id } = await harness.user(tenant, 'bcl-refused');
    await signIn('bcl-refused');
    app.status = 400;
    const refused = await harness.admin('POST', `/tenants/${tenant}/users/${id}/sign-out`);
    expect(refused.body.logout_notices).toEqual([{ client_id: clientId, client_name: 'Rostering', status: 'failed', reason: 'the app answered HTTP 400: it refused the logout token' }]);

    await signIn('bcl-refused');
    app.status = 503;
    const down = await harness.admin('POST', `/tenants/${tenant}/users/${id}/sign-out`);
    expect(down.body.logout_notices).toEqual([{ client_id: clientId, client_name: 'Rostering', status: 'retrying', reason: 'the app answered HTTP 503' }]);
  });

  it('sends nothing to apps that registered no back-channel logout URI', async () => {
    const { id } = await harness.user(tenant, 'bcl-none');
    await signInWithCode(harness.web, { username: 'bcl-none', password: 'amber-lantern-42', redirectUri: harness.callback, scope: 'openid' });
    const answer = await harness.admin('POST', `/tenants/${tenant}/users/${id}/sign-out`);
    expect(answer.body.logout_notices).toEqual([]);
    expect(answer.body.grants_revoked).toHaveLength(1);
    expect(app.received).toEqual([]);
  });
});
