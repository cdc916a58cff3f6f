import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { REFUSAL_WORDING, type WordedRefusal } from '../../src/entrypoints/oidc/refusal-wording.js';
import { classifyRefusal } from '../../src/entrypoints/oidc/token-refusals.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { confirmDevice, discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * The refusals whose wording depends on the provider's internal details, provoked for real
 * through the running provider with openid-client: the app must get Gatehouse's readable
 * description, not the provider's "grant request is invalid". With token-refusals.test.ts
 * (the details pinned to the installed sources) this turns a rewording by an oidc-provider
 * upgrade into a failing test.
 */
describe('readable refusals at the token endpoint', () => {
  let server: TestGatehouse;
  let issuer: string;
  let callback: string;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage());
    issuer = server.issuer;
    callback = `${issuer}${DEMO.callbackPath}`;
  });
  afterAll(async () => server?.stop());

  const mobile = () => discoverClient(issuer, DEMO.mobile.clientId);
  const web = () => discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
  const signIn = async () => (await signInWithCode(await mobile(), { username: 'alice', password: DEMO.password, redirectUri: callback })).tokens;
  const refusedAs = (reason: WordedRefusal) => ({ error: 'invalid_grant', error_description: REFUSAL_WORDING[reason] });

  /** Rewrites a stored artifact through the provider's own adapter (and its caches). */
  async function rewrite(model: 'RefreshToken' | 'Grant', id: string, change: Record<string, unknown>) {
    const adapter = server.gatehouse.provider[model].adapter;
    const payload = await adapter.find(id);
    await adapter.upsert(id, { ...payload!, ...change }, 3600);
  }
  const grantOf = async (refreshToken: string) => String((await server.gatehouse.provider.RefreshToken.adapter.find(refreshToken))!.grantId);
  const past = () => Math.floor(Date.now() / 1000) - 60;

  /** A fresh authorization code of the web client, with what its exchange needs. */
  async function freshCode(config: oidc.Configuration): Promise<{ landed: URL; verifier: string }> {
    const browser = new HttpBrowser();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: callback, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const page = await browser.go(url.toString(), {}, callback);
    const landed = await browser.go(new URL(HttpBrowser.formAction(page, /login$/), issuer).toString(), { form: { username: 'alice', password: DEMO.password } }, callback);
    return { landed: new URL(landed), verifier };
  }

  it('an unknown or expired refresh token', async () => {
    const config = await mobile();
    await expect(oidc.refreshTokenGrant(config, 'no-such-refresh-token')).rejects.toMatchObject(refusedAs('refresh_token_invalid'));
    const tokens = await signIn();
    await rewrite('RefreshToken', tokens.refresh_token!, { exp: past() });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject(refusedAs('refresh_token_expired'));
  });

  it('a refresh token replayed after its rotation (just after it, it is a retry and gets the current token)', async () => {
    const config = await mobile();
    const tokens = await signIn();
    const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect((await oidc.refreshTokenGrant(config, tokens.refresh_token!)).refresh_token).toBe(rotated.refresh_token);
    // Past the grace window (moved back in the database rather than waiting): a replay.
    await server.gatehouse.database.knex('oidc_artifacts').where({ type: 'RefreshToken', id: tokens.refresh_token }).update({ consumed_at: new Date(Date.now() - 60_000) });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject(refusedAs('refresh_token_reused'));
  });

  it('a refresh token presented by another app', async () => {
    const tokens = await signIn();
    await expect(oidc.refreshTokenGrant(await web(), tokens.refresh_token!)).rejects.toMatchObject(refusedAs('client_mismatch'));
  });

  it('a refresh token whose grant was revoked, or expired', async () => {
    const config = await mobile();
    const revoked = await signIn();
    await server.gatehouse.provider.Grant.adapter.destroy(await grantOf(revoked.refresh_token!));
    await expect(oidc.refreshTokenGrant(config, revoked.refresh_token!)).rejects.toMatchObject(refusedAs('grant_revoked'));

    const expired = await signIn();
    await rewrite('Grant', await grantOf(expired.refresh_token!), { exp: past() });
    await expect(oidc.refreshTokenGrant(config, expired.refresh_token!)).rejects.toMatchObject(refusedAs('grant_expired'));
  });

  it('an authorization code used twice, unknown, or sent with another redirect_uri', async () => {
    const config = await web();
    const first = await freshCode(config);
    await oidc.authorizationCodeGrant(config, first.landed, { pkceCodeVerifier: first.verifier });
    await expect(oidc.authorizationCodeGrant(config, first.landed, { pkceCodeVerifier: first.verifier })).rejects.toMatchObject(refusedAs('code_reused'));

    const unknown = new URL(first.landed);
    unknown.searchParams.set('code', 'no-such-code');
    await expect(oidc.authorizationCodeGrant(config, unknown, { pkceCodeVerifier: first.verifier })).rejects.toMatchObject(refusedAs('code_invalid'));

    const second = await freshCode(config);
    const elsewhere = new URL(second.landed);
    elsewhere.pathname = `${elsewhere.pathname}/elsewhere`;
    await expect(oidc.authorizationCodeGrant(config, elsewhere, { pkceCodeVerifier: second.verifier })).rejects.toMatchObject(refusedAs('redirect_uri_mismatch'));
  });

  it('an authorization code exchanged by parallel requests: every loser is told why, whichever check caught it', async () => {
    const config = await web();
    const { landed, verifier } = await freshCode(config);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => oidc.authorizationCodeGrant(config, landed, { pkceCodeVerifier: verifier })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    // A loser lost at the atomic consume (Gatehouse's own detail), saw the code consumed (the
    // provider's), or came after the provider revoked the grant and its codes for the replay.
    const readable = [REFUSAL_WORDING.code_reused, REFUSAL_WORDING.grant_revoked, REFUSAL_WORDING.code_invalid];
    for (const loser of results.filter((r) => r.status === 'rejected')) {
      const { error, error_description } = (loser as PromiseRejectedResult).reason as { error: string; error_description: string };
      expect(error).toBe('invalid_grant');
      expect(readable).toContain(error_description);
    }
  });

  it('a code or token consumed first by a racing request is worded like a reused one, in the store it lives in', async () => {
    const cases = [
      ['AuthorizationCode', 'authorization_code', 'code_reused'],
      ['DeviceCode', 'urn:ietf:params:oauth:grant-type:device_code', 'device_code_reused'],
      ['RefreshToken', 'refresh_token', 'refresh_token_used_concurrently'],
    ] as const;
    for (const [model, grantType, reason] of cases) {
      const adapter = server.gatehouse.provider[model].adapter;
      const id = `racing-${model}-${Date.now()}`;
      await adapter.upsert(id, { jti: id, kind: model, clientId: DEMO.web.clientId, grantId: `grant-of-${id}` }, 60);
      await adapter.consume(id);
      const lost = (await adapter.consume(id).then(() => undefined, (err: unknown) => err)) as { error?: string; error_detail?: string } | undefined;
      expect(lost?.error).toBe('invalid_grant');
      expect(classifyRefusal({ route: 'token', grantType, error: lost!.error!, detail: lost!.error_detail })).toMatchObject({ reason, description: REFUSAL_WORDING[reason] });
    }
  });

  it('a device code unknown, or used twice', async () => {
    const config = await discoverClient(issuer, DEMO.downloader.clientId);
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid offline_access' });
    await expect(oidc.pollDeviceAuthorizationGrant(config, { ...device, device_code: 'no-such-device-code' })).rejects.toMatchObject(refusedAs('device_code_invalid'));
    await confirmDevice(device, { username: 'alice', password: DEMO.password });
    await oidc.pollDeviceAuthorizationGrant(config, device);
    await expect(oidc.pollDeviceAuthorizationGrant(config, device)).rejects.toMatchObject(refusedAs('device_code_reused'));
  });
});
