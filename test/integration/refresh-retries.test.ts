import * as oidc from 'openid-client';
import { TcpProxy } from '../../bench/support/tcp-proxy.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { REFUSAL_WORDING } from '../../src/entrypoints/oidc/refusal-wording.js';
import { adminCall, createUser, OPERATOR_ENV, operatorToken } from '../helpers/admin-api.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * An app whose refresh answer is lost (a mobile network dropping it, a timeout) has used up its
 * refresh token without receiving the next one. Presenting the old one again within the retry
 * window gets working tokens of the same chain, so the person stays signed in; a TCP proxy in
 * front of the server drops or holds the answers for real.
 */
describe('a refresh whose answer was lost', () => {
  let server: TestGatehouse;
  let proxy: TcpProxy;
  let mobile: oidc.Configuration;
  const port = () => Number(new URL(server.issuer).port);

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV });
    proxy = await TcpProxy.start(port());
    mobile = await discoverClient(server.issuer, DEMO.mobile.clientId);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });

  const signIn = async (username = 'alice', password = DEMO.password) => (await signInWithCode(mobile, { username, password, redirectUri: `${server.issuer}${DEMO.callbackPath}` })).tokens;
  const liveRefreshTokensOf = async (refreshToken: string) => {
    const { knex } = server.gatehouse.database;
    const { grant_id } = await knex('oidc_artifacts').where({ type: 'RefreshToken', id: refreshToken }).first('grant_id');
    const [row] = await knex('oidc_artifacts').where({ type: 'RefreshToken', grant_id }).whereNull('consumed_at').whereNull('revoked_at').count<{ count: number }[]>('* as count');
    return Number(row!.count);
  };
  /** A refresh through the proxy: what the app receives (or the error it gets instead). */
  const refreshThroughProxy = (refreshToken: string, timeoutMs = 5_000) =>
    fetch(`${proxy.origin}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: DEMO.mobile.clientId }),
      signal: AbortSignal.timeout(timeoutMs),
    });

  it('the retry with the same token gets the chain’s current refresh token and a working access token', async () => {
    const tokens = await signIn();
    proxy.mode = 'drop-answers';
    await expect(refreshThroughProxy(tokens.refresh_token!)).rejects.toThrow();
    proxy.mode = 'pass';
    expect(proxy.answersLost).toBe(1);

    // The server did rotate: the app's token is used up, and its successor exists.
    const retried = await oidc.refreshTokenGrant(mobile, tokens.refresh_token!);
    expect(retried.refresh_token).not.toBe(tokens.refresh_token);
    expect((await oidc.fetchUserInfo(mobile, retried.access_token, oidc.skipSubjectCheck)).sub).toBe(tokens.claims()!.sub);
    // Asked again, the same; the chain goes on from there, and stays one chain.
    expect((await oidc.refreshTokenGrant(mobile, tokens.refresh_token!)).refresh_token).toBe(retried.refresh_token);
    const next = await oidc.refreshTokenGrant(mobile, retried.refresh_token!);
    expect((await oidc.refreshTokenGrant(mobile, tokens.refresh_token!)).refresh_token).toBe(next.refresh_token);
    expect(await liveRefreshTokensOf(next.refresh_token!)).toBe(1);
  });

  it('an answer that never comes (the app times out) is retried the same way', async () => {
    const tokens = await signIn();
    proxy.mode = 'hold-answers';
    await expect(refreshThroughProxy(tokens.refresh_token!, 1_000)).rejects.toThrow();
    proxy.mode = 'pass';
    proxy.cutAll();
    const retried = await refreshThroughProxy(tokens.refresh_token!);
    expect(retried.status).toBe(200);
    const body = (await retried.json()) as { refresh_token: string; access_token: string };
    expect(await liveRefreshTokensOf(body.refresh_token)).toBe(1);
    expect((await oidc.refreshTokenGrant(mobile, body.refresh_token)).access_token).toBeDefined();
  });

  it('ten parallel uses of one token all get the one successor; exactly one chain lives on', async () => {
    const tokens = await signIn();
    const answers = await Promise.all(Array.from({ length: 10 }, () => refreshThroughProxy(tokens.refresh_token!).then((r) => r.json() as Promise<{ refresh_token?: string; error?: string }>)));
    const successors = new Set(answers.map((a) => a.refresh_token ?? a.error));
    expect(successors.size).toBe(1);
    const [successor] = successors;
    expect(await liveRefreshTokensOf(successor!)).toBe(1);
  });

  it('is not handed to another app, nor once the sign-in was revoked', async () => {
    const token = await operatorToken(server.issuer);
    const user = await createUser(server.issuer, token, { username: `retrier-${Date.now()}` });
    const tokens = await signIn(user.body.username, user.password);
    const rotated = await oidc.refreshTokenGrant(mobile, tokens.refresh_token!);

    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    await expect(oidc.refreshTokenGrant(web, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant', error_description: REFUSAL_WORDING.client_mismatch });
    expect((await oidc.refreshTokenGrant(mobile, tokens.refresh_token!)).refresh_token).toBe(rotated.refresh_token);

    expect((await adminCall(server.issuer, token, 'POST', `/tenants/demo/users/${user.id}/sign-out`)).status).toBe(200);
    for (const presented of [tokens.refresh_token!, rotated.refresh_token!]) {
      await expect(oidc.refreshTokenGrant(mobile, presented)).rejects.toMatchObject({ error: 'invalid_grant', error_description: REFUSAL_WORDING.signed_out_by_admin });
    }
  });
});
