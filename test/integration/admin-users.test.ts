import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { OPERATOR_ENV, adminCall, createUser as createUserVia, operatorToken } from '../helpers/admin-api.js';
import { discoverClient, signInWithCode, signInWithDevice } from '../helpers/relying-party.js';
import { emailsTo, startTestGatehouse, storageKinds, type TestGatehouse } from '../helpers/test-gatehouse.js';

/** Users through the admin API, and what an administrator's change of password cuts off. */
describe.each(storageKinds())('admin API: users on %s storage', (storage) => {
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;
  const callback = () => `${issuer}${DEMO.callbackPath}`;

  beforeAll(async () => {
    server = await startTestGatehouse(storage, { env: OPERATOR_ENV });
    issuer = server.issuer;
    operator = await operatorToken(issuer);
  });
  afterAll(async () => server?.stop());

  /** A user signed in on three clients: web (browser session + refresh), mobile, downloader. */
  async function signedInEverywhere(username: string, password: string) {
    const web = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
    const mobile = await discoverClient(issuer, DEMO.mobile.clientId);
    const downloader = await discoverClient(issuer, DEMO.downloader.clientId);
    const webSignIn = await signInWithCode(web, { username, password, redirectUri: callback(), scope: 'openid offline_access' });
    const mobileSignIn = await signInWithCode(mobile, { username, password, redirectUri: callback() });
    const deviceTokens = await signInWithDevice(downloader, { username, password });
    return {
      browser: webSignIn.browser,
      refresh: [
        { config: web, token: webSignIn.tokens.refresh_token! },
        { config: mobile, token: mobileSignIn.tokens.refresh_token! },
        { config: downloader, token: deviceTokens.refresh_token! },
      ],
      accessToken: mobileSignIn.tokens.access_token,
      mobile,
    };
  }

  async function createUser(username: string, password: string) {
    return (await createUserVia(issuer, operator, { username, email: `${username}@demo.test`, name: username, password })).body as { id: string };
  }

  it('creates, finds, reads, updates and deletes users; never shows a password', async () => {
    const created = await adminCall(issuer, operator, 'POST', '/tenants/demo/users', { username: 'Dana.Field', email: 'dana@demo.test', name: 'Dana Field', phone: '(415) 555-0123', password: 'violet-harbour-kettle' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'Dana.Field', phone: '+14155550123', phone_verified: false, role: 'member', status: 'active', disabled: false });
    expect(JSON.stringify(created.body)).not.toMatch(/password|hash|violet/);

    // Unique across Gatehouse, case-insensitively, in any tenant.
    expect((await adminCall(issuer, operator, 'POST', '/tenants', { slug: `other-${storage.replace('+', '-')}`, name: 'Other' })).status).toBe(201);
    expect((await adminCall(issuer, operator, 'POST', `/tenants/other-${storage.replace('+', '-')}/users`, { username: 'dana.FIELD', email: 'x@y.test', password: 'violet-harbour-kettle' })).status).toBe(409);

    for (const q of ['dana', 'DANA@demo', '555-0123'.replace('-', ''), 'Field']) {
      const found = await adminCall(issuer, operator, 'GET', `/tenants/demo/users?q=${encodeURIComponent(q)}`);
      expect(found.body.items.map((u: { id: string }) => u.id)).toContain(created.body.id);
    }

    const updated = await adminCall(issuer, operator, 'PATCH', `/tenants/demo/users/${created.body.id}`, { name: 'Dana F.', phone: '+442071838750', role: 'staff' });
    expect(updated.body).toMatchObject({ name: 'Dana F.', phone: '+442071838750', role: 'staff' });
    expect((await adminCall(issuer, operator, 'GET', `/tenants/${updated.body.tenant}/users/${created.body.id}`)).body.name).toBe('Dana F.');

    expect((await adminCall(issuer, operator, 'DELETE', `/tenants/demo/users/${created.body.id}`)).status).toBe(204);
    expect((await adminCall(issuer, operator, 'GET', `/tenants/demo/users/${created.body.id}`)).status).toBe(404);
  });

  it('pages lists with limit and cursor', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: { items: { id: string }[]; next_cursor: string | null } } = await adminCall(issuer, operator, 'GET', `/tenants/demo/users?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      for (const u of page.body.items) seen.add(u.id);
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor && pages < 50);
    const all = await adminCall(issuer, operator, 'GET', '/tenants/demo/users?limit=200');
    expect(seen.size).toBe(all.body.items.length);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect((await adminCall(issuer, operator, 'GET', '/tenants/demo/users?cursor=garbage')).status).toBe(400);
  });

  it('answers invalid bodies with problem+json naming the field', async () => {
    const bad = await adminCall(issuer, operator, 'POST', '/tenants/demo/users', { username: 'x', email: 'not-an-email', colour: 'blue' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['username', 'email']));
    const missing = await adminCall(issuer, operator, 'POST', '/tenants/demo/users', { username: 'no-email-given' });
    expect(missing.body.errors).toEqual([{ field: 'email', message: 'required' }]);
    const weak = await adminCall(issuer, operator, 'POST', '/tenants/demo/users', { username: 'weakling', email: 'w@demo.test', password: 'password1' });
    expect(weak.status).toBe(400);
    expect(weak.body.errors[0]).toMatchObject({ field: 'password' });
    const phone = await adminCall(issuer, operator, 'POST', '/tenants/demo/users', { username: 'badphone', email: 'p@demo.test', phone: '12', password: 'violet-harbour-kettle' });
    expect(phone.body.errors[0].field).toBe('phone');
    expect((await adminCall(issuer, operator, 'POST', '/tenants/demo/users', '{"username":')).status).toBe(400);
  });

  it('emails a temporary password to a user created without one', async () => {
    const created = await adminCall(issuer, operator, 'POST', '/tenants/demo/users', { username: 'newbie', email: 'newbie@demo.test' });
    expect(created.body.status).toBe('password_change_required');
    const [mail] = emailsTo(server, 'newbie@demo.test');
    expect(mail).toBeDefined();
    const password = /Temporary password: (\S+)/.exec(mail!.text)![1]!;
    expect(password.length).toBeGreaterThanOrEqual(16);
  });

  it("signs the user out of every client when an administrator sets the password, and says which", async () => {
    const user = await createUser('field-tech', 'first-password-123');
    const { refresh, browser } = await signedInEverywhere('field-tech', 'first-password-123');

    const before = await adminCall(issuer, operator, 'GET', `/tenants/demo/users/${user.id}/sessions`);
    expect(before.body.items.map((g: { client_id: string }) => g.client_id).sort()).toEqual([DEMO.downloader.clientId, DEMO.mobile.clientId, DEMO.web.clientId]);
    expect(before.body.items.every((g: { active_refresh_tokens: number }) => g.active_refresh_tokens === 1)).toBe(true);

    const report = await adminCall(issuer, operator, 'PUT', `/tenants/demo/users/${user.id}/password`, { password: 'second-password-456' });
    expect(report.status).toBe(200);
    expect(report.body.sessions_ended).toBeGreaterThanOrEqual(1);
    expect(report.body.grants_revoked.map((g: { client_id: string; client_kind: string; refresh_tokens_revoked: number }) => [g.client_id, g.client_kind, g.refresh_tokens_revoked]).sort()).toEqual([
      [DEMO.downloader.clientId, 'downloader', 1],
      [DEMO.mobile.clientId, 'mobile', 1],
      [DEMO.web.clientId, 'web', 1],
    ]);

    for (const { config, token } of refresh) {
      await expect(oidc.refreshTokenGrant(config, token)).rejects.toMatchObject({ error: 'invalid_grant', error_description: 'the password was changed by an administrator; sign in again' });
    }
    expect((await adminCall(issuer, operator, 'GET', `/tenants/demo/users/${user.id}/sessions`)).body.items).toEqual([]);

    // The browser session is gone too: the next authorization asks for the (new) password.
    const web = refresh[0]!.config;
    const again = oidc.buildAuthorizationUrl(web, { redirect_uri: callback(), scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    expect(await browser.go(again.toString(), {}, callback())).toMatch(/name="password"/);
    const fresh = await signInWithCode(web, { username: 'field-tech', password: 'second-password-456', redirectUri: callback(), browser: new HttpBrowser() });
    expect(fresh.tokens.access_token).toBeDefined();

    await server.gatehouse.events.flush();
    const events = await server.gatehouse.database.knex('events').where({ user_id: user.id }).orderBy('id');
    const passwordSet = events.find((e) => e.type === 'admin.password_set');
    expect(passwordSet.actor).toEqual({ type: 'operator', client_id: 'operator' });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['admin.user_created', 'admin.password_set', 'password.changed']));
    expect(JSON.stringify(events)).not.toMatch(/second-password|first-password/);
  });

  it('sign-out and disabling cut every client off too, each with its own reason', async () => {
    const user = await createUser('night-shift', 'night-password-789');
    let { refresh, accessToken, mobile } = await signedInEverywhere('night-shift', 'night-password-789');
    const signOut = await adminCall(issuer, operator, 'POST', `/tenants/demo/users/${user.id}/sign-out`);
    expect(signOut.body.grants_revoked).toHaveLength(3);
    for (const { config, token } of refresh) {
      await expect(oidc.refreshTokenGrant(config, token)).rejects.toMatchObject({ error: 'invalid_grant', error_description: 'an administrator signed this user out; sign in again' });
    }
    await expect(oidc.fetchUserInfo(mobile, accessToken, oidc.skipSubjectCheck)).rejects.toBeDefined();

    ({ refresh } = await signedInEverywhere('night-shift', 'night-password-789'));
    const disabled = await adminCall(issuer, operator, 'PATCH', `/tenants/demo/users/${user.id}`, { disabled: true });
    expect(disabled.body).toMatchObject({ disabled: true, status: 'disabled' });
    expect(disabled.body.signed_out.grants_revoked).toHaveLength(3);
    for (const { config, token } of refresh) {
      await expect(oidc.refreshTokenGrant(config, token)).rejects.toMatchObject({ error: 'invalid_grant', error_description: 'the account was disabled by an administrator' });
    }
    await expect(signInWithCode(refresh[1]!.config, { username: 'night-shift', password: 'night-password-789', redirectUri: callback() })).rejects.toThrow(/disabled/);
  });
});
