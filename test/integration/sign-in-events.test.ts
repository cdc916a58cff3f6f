import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, createUser as createUserVia, operatorToken } from '../helpers/admin-api.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient, signInWithCode, signInWithDevice } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';
import { CLOCK } from '../helpers/clock-pattern.js';

interface EventView {
  id: string;
  at: string;
  type: string;
  tenant: string | null;
  user: string | null;
  client_id: string | null;
  client_kind: string | null;
  ip: string | null;
  user_agent: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
}

/** Every sign-in decision is an event (DESIGN §6), readable through the admin API. */
describe('sign-in events', () => {
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;
  let web: oidc.Configuration;
  let mobile: oidc.Configuration;
  let downloader: oidc.Configuration;
  const callback = () => `${issuer}${DEMO.callbackPath}`;
  const knex = () => server.gatehouse.database.knex;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, TRUST_PROXY: '1' } });
    issuer = server.issuer;
    operator = await operatorToken(issuer);
    web = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
    mobile = await discoverClient(issuer, DEMO.mobile.clientId);
    downloader = await discoverClient(issuer, DEMO.downloader.clientId);
  });
  afterAll(async () => server?.stop());

  async function createUser(username: string, extra: Record<string, unknown> = {}) {
    const { id, password } = await createUserVia(issuer, operator, { username, email: `${username}@demo.test`, ...extra });
    return { id, password: password! };
  }

  /** A client-credentials request as an integration sends it, answered as it sees it. */
  async function clientCredentials(clientId: string, secret: string) {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    return { status: response.status, body: await response.json() };
  }

  function browserAt(ip: string, userAgent = 'FieldApp/3.2 (Android 14)') {
    const browser = new HttpBrowser();
    browser.headers['x-forwarded-for'] = ip;
    browser.headers['user-agent'] = userAgent;
    return browser;
  }

  async function events(path: string): Promise<EventView[]> {
    await server.gatehouse.events.flush();
    const answer = await adminCall(issuer, operator, 'GET', path);
    expect(answer.status).toBe(200);
    return answer.body.items;
  }

  it('records each password-step decision with the client, its kind, the address and the browser', async () => {
    const user = await createUser('evan');
    await expect(signInWithCode(mobile, { username: 'evan', password: 'not-his-password', redirectUri: callback(), browser: browserAt('203.0.113.5') })).rejects.toThrow();
    await signInWithCode(mobile, { username: 'evan', password: user.password, redirectUri: callback(), browser: browserAt('203.0.113.5') });

    const items = await events(`/tenants/demo/users/${user.id}/events`);
    const tenant = (await adminCall(issuer, operator, 'GET', '/tenants/demo')).body.id;
    expect(items.slice(0, 2)).toEqual([
      expect.objectContaining({ type: 'login.succeeded', tenant, user: user.id, client_id: DEMO.mobile.clientId, client_kind: 'mobile', ip: '203.0.113.5', user_agent: 'FieldApp/3.2 (Android 14)', reason: 'password' }),
      expect.objectContaining({ type: 'login.failed', tenant, user: user.id, client_id: DEMO.mobile.clientId, client_kind: 'mobile', ip: '203.0.113.5', user_agent: 'FieldApp/3.2 (Android 14)', reason: 'wrong_password' }),
    ]);
    // No event holds what was typed.
    const stored = JSON.stringify(await knex()('events').where({ user_id: user.id }));
    expect(stored).not.toContain('not-his-password');
    expect(stored).not.toContain(user.password);
  });

  it('records a sign-in through the device pages as the downloader\'s', async () => {
    const user = await createUser('dina');
    await signInWithDevice(downloader, { username: 'dina', password: user.password });
    expect(await events(`/tenants/demo/users/${user.id}/events?type=login.succeeded`)).toEqual([expect.objectContaining({ client_id: DEMO.downloader.clientId, client_kind: 'downloader' })]);
  });

  it('records a refused refresh with its reason and user, and tells the app why', async () => {
    const user = await createUser('rhea');
    const signedIn = await signInWithCode(mobile, { username: 'rhea', password: user.password, redirectUri: callback() });
    const rotated = await oidc.refreshTokenGrant(mobile, signedIn.tokens.refresh_token!);

    // The rotated token presented again after the grace window: a replay, the chain ends.
    await knex()('oidc_artifacts').where({ type: 'RefreshToken', account_id: user.id }).whereNotNull('consumed_at').update({ consumed_at: new Date(Date.now() - 60_000) });
    await expect(oidc.refreshTokenGrant(mobile, signedIn.tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
      error_description: 'this refresh token was already used, so the sign-in was ended for safety; sign in again',
    });
    await expect(oidc.refreshTokenGrant(mobile, rotated.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant', error_description: 'the refresh token is not valid or has expired; sign in again' });

    // The replay names its user; the token revoked with the chain no longer does (it is gone).
    const denied = await events(`/tenants/demo/events?type=token.refresh_denied&user=${user.id}`);
    expect(denied.map((e) => [e.reason, e.client_id, e.client_kind, e.user])).toEqual([['refresh_token_reused', DEMO.mobile.clientId, 'mobile', user.id]]);
  });

  it('records a device that was approved but whose user was disabled before it collected its tokens', async () => {
    const user = await createUser('dale');
    const device = await oidc.initiateDeviceAuthorization(downloader, { scope: 'openid offline_access' });
    const browser = new HttpBrowser();
    const codePage = await browser.go(device.verification_uri);
    const confirm = await browser.go(new URL(HttpBrowser.formAction(codePage), device.verification_uri).toString(), { form: { ...HttpBrowser.hiddenInputs(codePage), user_code: device.user_code } });
    const login = await browser.go(new URL(HttpBrowser.formAction(confirm), device.verification_uri).toString(), { form: { ...HttpBrowser.hiddenInputs(confirm), confirm: 'yes' } });
    expect(await browser.go(new URL(HttpBrowser.formAction(login, /login$/), device.verification_uri).toString(), { form: { username: 'dale', password: user.password } })).toMatch(/Device connected/);
    await knex()('users').where({ id: user.id }).update({ disabled: true });

    await expect(oidc.pollDeviceAuthorizationGrant(downloader, device)).rejects.toMatchObject({ error: 'invalid_grant', error_description: 'the account was disabled by an administrator' });
    expect(await events(`/tenants/demo/users/${user.id}/events?type=token.device_code_denied`)).toEqual([expect.objectContaining({ reason: 'account_disabled', client_id: DEMO.downloader.clientId, client_kind: 'downloader' })]);
  });

  it('does not record successful refreshes or client-credentials grants (the hottest path), only their last-used figures', async () => {
    const user = await createUser('hal');
    const signedIn = await signInWithCode(mobile, { username: 'hal', password: user.password, redirectUri: callback() });
    await server.gatehouse.events.flush();
    const before = Number((await knex()('events').count('* as n'))[0]!.n);
    let refresh = signedIn.tokens.refresh_token!;
    for (let i = 0; i < 3; i++) refresh = (await oidc.refreshTokenGrant(mobile, refresh)).refresh_token!;
    const integration = await discoverClient(issuer, DEMO.integration.clientId, DEMO.integration.secret);
    for (let i = 0; i < 3; i++) await oidc.clientCredentialsGrant(integration);
    await server.gatehouse.events.flush();
    expect(Number((await knex()('events').count('* as n'))[0]!.n)).toBe(before);
    // Written after the answer (never on the request's time): wait for it.
    const deadline = Date.now() + 5_000;
    let lastUsed = null;
    while (!lastUsed && Date.now() < deadline) {
      lastUsed = (await knex()('clients').where({ client_id: DEMO.integration.clientId }).first()).last_used_at;
      if (!lastUsed) await new Promise((r) => setTimeout(r, 50));
    }
    expect(lastUsed).not.toBeNull();
  });

  it("refuses an integration's expired secret with a description its developer can act on, and shows its failures per client", async () => {
    const created = await adminCall(issuer, operator, 'POST', '/tenants/demo/clients', { kind: 'integration', name: 'Billing sync' });
    const clientId = created.body.client_id as string;
    const oldSecret = created.body.client_secret as string;
    const rotated = await adminCall(issuer, operator, 'POST', `/tenants/demo/clients/${clientId}/secrets`, { overlap_days: 0 });
    expect(rotated.status).toBe(201);

    const stale = await clientCredentials(clientId, oldSecret);
    expect(stale.status).toBe(401);
    expect(stale.body).toEqual({ error: 'invalid_client', error_description: expect.stringMatching(/^the client secret expired at \S+ after a rotation; use the current secret$/) });
    expect((await clientCredentials(clientId, 'not-the-secret')).body).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
    expect((await oidc.clientCredentialsGrant(await discoverClient(issuer, clientId, rotated.body.client_secret))).access_token).toBeDefined();

    const failures = await events(`/tenants/demo/events?client=${clientId}&type=client.auth_failed`);
    expect(failures.map((e) => [e.reason, e.client_kind])).toEqual([
      ['invalid_client_secret', 'integration'],
      ['client_secret_expired', 'integration'],
    ]);

    // The tenant's administrator answers for its integrations: their diagnosis says what to fix.
    const admin = (await adminCall(issuer, operator, 'GET', '/tenants/demo/users?q=admin')).body.items.find((u: { username: string }) => u.username === 'admin');
    const diagnosis = await adminCall(issuer, operator, 'GET', `/tenants/demo/users/${admin.id}/diagnosis`);
    expect(diagnosis.body.blockers).toContainEqual(expect.objectContaining({ code: 'client_secret_expired', message: expect.stringMatching(new RegExp(String.raw`^the integration "Billing sync"'s previous secret expired at ${CLOCK} and it still presents it: refused once, last at ${CLOCK}; give it the current secret$`)) }));
    expect(diagnosis.body.can_sign_in).toBe(true);
    expect(diagnosis.body.clients).toContainEqual(expect.objectContaining({ client_id: clientId, kind: 'integration', last_failure: expect.objectContaining({ reason: 'invalid_client_secret' }) }));
  });

  it('pages the tenant log newest first with limit and cursor, and filters by type, family, user, client and time', async () => {
    const user = await createUser('paige');
    for (let i = 0; i < 3; i++) await expect(signInWithCode(web, { username: 'paige', password: `wrong-${i}`, redirectUri: callback() })).rejects.toThrow();
    await signInWithCode(web, { username: 'paige', password: user.password, redirectUri: callback() });

    const all = await events(`/tenants/demo/events?user=${user.id}&limit=200`);
    const seen: EventView[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: EventView[]; next_cursor: string | null } } = await adminCall(issuer, operator, 'GET', `/tenants/demo/events?user=${user.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items);
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(all.map((e) => e.type)).toEqual(['login.succeeded', 'login.failed', 'login.failed', 'login.failed', 'admin.user_created']);
    const times = all.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    expect((await events(`/tenants/demo/events?user=${user.id}&type=login.failed`)).map((e) => e.type)).toEqual(['login.failed', 'login.failed', 'login.failed']);
    expect((await events(`/tenants/demo/events?user=${user.id}&type=admin.*`)).map((e) => e.type)).toEqual(['admin.user_created']);
    expect((await events(`/tenants/demo/events?user=${user.id}&client=${DEMO.web.clientId}`)).every((e) => e.client_id === DEMO.web.clientId)).toBe(true);
    expect(await events(`/tenants/demo/events?user=${user.id}&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect((await adminCall(issuer, operator, 'GET', '/tenants/demo/events?type=login.everything')).status).toBe(400);
    expect((await adminCall(issuer, operator, 'GET', '/tenants/demo/events?cursor=nonsense')).status).toBe(400);
  });

  it("shows the tenant log to the tenant's administrators only, and a member's events to staff", async () => {
    const staffPassword = 'staff-lantern-42';
    await adminCall(issuer, operator, 'POST', '/tenants/demo/users', { username: 'stella', email: 'stella@demo.test', role: 'staff', password: staffPassword });
    const staff = (await signInWithCode(web, { username: 'stella', password: staffPassword, redirectUri: callback(), scope: 'openid admin' })).tokens.access_token;
    const member = await createUser('milo');
    const admins = (await adminCall(issuer, operator, 'GET', '/tenants/demo/users?q=admin')).body.items.find((u: { username: string }) => u.username === 'admin');

    expect((await adminCall(issuer, staff, 'GET', '/tenants/demo/events')).status).toBe(403);
    expect((await adminCall(issuer, staff, 'GET', `/tenants/demo/users/${member.id}/events`)).status).toBe(200);
    expect((await adminCall(issuer, staff, 'GET', `/tenants/demo/users/${member.id}/diagnosis`)).status).toBe(200);
    expect((await adminCall(issuer, staff, 'GET', `/tenants/demo/users/${admins.id}/events`)).status).toBe(403);
    expect((await adminCall(issuer, operator, 'POST', '/tenants', { slug: 'elsewhere', name: 'Elsewhere' })).status).toBe(201);
    expect((await adminCall(issuer, operator, 'GET', `/tenants/elsewhere/users/${member.id}/events`)).status).toBe(404);
    expect((await adminCall(issuer, staff, 'GET', '/tenants/elsewhere/events')).status).toBe(404);
  });

  it("deletes events past each tenant's retention, and the rows other tables no longer need", async () => {
    const short = await adminCall(issuer, operator, 'POST', '/tenants', { slug: 'brief', name: 'Brief Clinic', settings: { events: { retention_days: 7 } } });
    const demoId = (await adminCall(issuer, operator, 'GET', '/tenants/demo')).body.id;
    const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 60 * 60 * 1000);
    const row = (tenant: string | null, days: number, reason: string) => ({ type: 'login.failed', tenant_id: tenant, at: daysAgo(days), reason });
    await knex()('events').insert([row(demoId, 10, 'keep-demo-10'), row(demoId, 91, 'drop-demo-91'), row(short.body.id, 6, 'keep-brief-6'), row(short.body.id, 8, 'drop-brief-8'), row(null, 91, 'drop-none-91')]);
    await knex()('ephemeral_marks').insert([{ key: 'test-expired', value: '1', expires_at: daysAgo(1) }, { key: 'test-live', value: '1', expires_at: new Date(Date.now() + 60_000) }]);
    await knex()('rate_limits').insert([{ key: 'test-expired', points: 1, expire: Date.now() - 1000 }]);

    const report = await server.gatehouse.cleanup.run();
    expect(report.events).toBeGreaterThanOrEqual(3);
    const left = (await knex()('events').whereIn('reason', ['keep-demo-10', 'drop-demo-91', 'keep-brief-6', 'drop-brief-8', 'drop-none-91']).select('reason')).map((r) => r.reason).sort();
    expect(left).toEqual(['keep-brief-6', 'keep-demo-10']);
    expect((await knex()('ephemeral_marks').whereIn('key', ['test-expired', 'test-live']).select('key')).map((r) => r.key)).toEqual(['test-live']);
    expect(await knex()('rate_limits').where({ key: 'test-expired' }).first()).toBeUndefined();
  });
});
