import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { csrfOf, postConsoleForm, signInToConsole } from '../helpers/console-visitor.js';
import { OPERATOR_ENV, adminCall, createUser, demoAdminToken, operatorToken } from '../helpers/admin-api.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

const STAFF_PASSWORD = 'amber-lantern-42';

/**
 * The console acts as the admin API does for the same person: the same refusals (parity), every
 * form with the session's token, destructive actions only within 5 minutes of entering the
 * password, and the operator flag set by operators only.
 */
describe('the admin console over HTTP', () => {
  let server: TestGatehouse;
  let operator: string;
  let clockOffset = 0;
  let staffToken: string;
  let adminId: string;
  let memberId: string;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV, gatehouse: { now: () => new Date(Date.now() + clockOffset) } });
    operator = await operatorToken(server.issuer);
    await createUser(server.issuer, operator, { username: 'stan-staff', role: 'staff', password: STAFF_PASSWORD });
    memberId = (await createUser(server.issuer, operator, { username: 'mia-member' })).id;
    adminId = (await adminCall(server.issuer, operator, 'GET', '/tenants/demo/users?q=Ada%20Admin')).body.items[0].id;
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    staffToken = (await signInWithCode(web, { username: 'stan-staff', password: STAFF_PASSWORD, redirectUri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid admin' })).tokens.access_token;
  });
  afterAll(async () => {
    await server?.stop();
  });

  const consoleAs = (username: string, password: string) => signInToConsole(server.issuer, username, password);
  const post = (browser: HttpBrowser, path: string, form: Record<string, string>) => postConsoleForm(server.issuer, browser, path, form);

  it('refuses staff what the admin API refuses them: an administrator, a role above member', async () => {
    const { browser, page } = await consoleAs('stan-staff', STAFF_PASSWORD);
    expect(browser.lastUrl).toBe(`${server.issuer}/console/users`);
    const csrf = csrfOf(page);
    // Reading an administrator: 403 from both.
    expect((await adminCall(server.issuer, staffToken, 'GET', `/tenants/demo/users/${adminId}`)).status).toBe(403);
    await browser.go(`${server.issuer}/console/users/${adminId}`);
    expect(browser.lastStatus).toBe(403);
    // Making a member an administrator: 403 from both, and the role is unchanged.
    expect((await adminCall(server.issuer, staffToken, 'PATCH', `/tenants/demo/users/${memberId}`, { role: 'admin' })).status).toBe(403);
    expect((await post(browser, `/console/users/${memberId}`, { csrf, role: 'admin', email: 'mia-member@demo.test' })).status).toBe(403);
    // Another tenant's user: 404 from both.
    await adminCall(server.issuer, operator, 'POST', '/tenants', { slug: 'other', name: 'Other Clinic' });
    const stranger = await createUser(server.issuer, operator, { tenant: 'other', username: 'other-person' });
    expect((await adminCall(server.issuer, staffToken, 'GET', `/tenants/demo/users/${stranger.id}`)).status).toBe(404);
    await browser.go(`${server.issuer}/console/users/${stranger.id}`);
    expect(browser.lastStatus).toBe(404);
    // Switching tenant is for operators only.
    expect((await post(browser, '/console/tenant', { csrf, tenant: 'other' })).status).toBe(403);
    expect((await adminCall(server.issuer, operator, 'GET', `/tenants/demo/users/${memberId}`)).body.role).toBe('member');
  });

  it('refuses a form without this session\'s token', async () => {
    const { browser } = await consoleAs('admin', DEMO.password);
    const refused = await post(browser, `/console/users/${memberId}/unlock`, { csrf: 'forged' });
    expect(refused.status).toBe(403);
    expect(refused.text).toMatch(/form has expired/);
  });

  it('refuses a destructive action once the password is older than 5 minutes, until it is entered again', async () => {
    const { browser, page } = await consoleAs('admin', DEMO.password);
    const csrf = csrfOf(page);
    clockOffset = 6 * 60_000;
    try {
      const stale = await post(browser, `/console/users/${memberId}/sign-out`, { csrf });
      expect(stale.status).toBe(403);
      expect(stale.text).toMatch(/enter your password again/i);
      await server.gatehouse.events.flush();
      expect(await server.gatehouse.database.knex('events').where({ user_id: memberId, type: 'admin.user_signed_out' })).toHaveLength(0);
      // Entering it again (prompt=login): the same person, back on the page, and the action goes through.
      const login = await browser.go(`${server.issuer}/console/reauthenticate?return=${encodeURIComponent(`/console/users/${memberId}`)}`);
      expect(login).toMatch(/action="[^"]*\/login"/);
      await browser.go(new URL(HttpBrowser.formAction(login, /login$/), server.issuer).toString(), { form: { username: 'admin', password: DEMO.password } });
      expect(browser.lastUrl).toBe(`${server.issuer}/console/users/${memberId}?done=reauthenticated`);
      const fresh = await post(browser, `/console/users/${memberId}/sign-out`, { csrf });
      expect(fresh.status).toBe(200);
      expect(fresh.text).toMatch(/signed out everywhere/);
      await server.gatehouse.events.flush();
      const [event] = await server.gatehouse.database.knex('events').where({ user_id: memberId, type: 'admin.user_signed_out' });
      expect(event.actor).toMatchObject({ type: 'user', username: 'admin' });
    } finally {
      clockOffset = 0;
    }
  });

  it('lets only an operator make a person an operator, and records an operator person by name', async () => {
    const admin = await demoAdminToken(server.issuer);
    const refused = await adminCall(server.issuer, admin, 'PATCH', `/tenants/demo/users/${memberId}`, { is_operator: true });
    expect(refused.status).toBe(403);
    const { browser, page } = await consoleAs('admin', DEMO.password);
    // An administrator's form has no operator box; a forged one changes nothing.
    expect(page).not.toMatch(/name="is_operator"/);
    await post(browser, `/console/users/${memberId}`, { csrf: csrfOf(page), email: 'mia-member@demo.test', role: 'member', is_operator: 'on' });
    expect((await adminCall(server.issuer, operator, 'GET', `/tenants/demo/users/${memberId}`)).body.is_operator).toBe(false);
    // The demo operator may, in the console: the event names them.
    const asOperator = await consoleAs('operator', DEMO.password);
    const userPage = await asOperator.browser.go(`${server.issuer}/console/users/${memberId}`);
    expect(userPage).toMatch(/name="is_operator"/);
    const saved = await post(asOperator.browser, `/console/users/${memberId}`, { csrf: csrfOf(userPage), email: 'mia-member@demo.test', role: 'member', is_operator: 'on' });
    expect(saved.status).toBe(303);
    expect((await adminCall(server.issuer, operator, 'GET', `/tenants/demo/users/${memberId}`)).body.is_operator).toBe(true);
    await server.gatehouse.events.flush();
    const events = await server.gatehouse.database.knex('events').where({ user_id: memberId, type: 'admin.user_updated' });
    expect(events.find((e) => e.actor.type === 'operator')?.actor).toMatchObject({ type: 'operator', username: 'operator', client_id: 'gatehouse-console' });
    // An administrator cannot touch an operator's account (its password least of all).
    expect((await adminCall(server.issuer, admin, 'PUT', `/tenants/demo/users/${memberId}/password`, { password: 'copper-kettle-77' })).status).toBe(403);
  });
});
