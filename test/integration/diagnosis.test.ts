import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, createUser as createUserVia, operatorToken } from '../helpers/admin-api.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { eventually } from '../helpers/lockout-clock.js';
import { discoverClient, signInWithCode, signInWithDevice } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';
import { CLOCK } from '../helpers/clock-pattern.js';

interface Diagnosis {
  can_sign_in: boolean;
  blockers: { code: string; message: string; since: string | null; until?: string }[];
  clients: { client_id: string; kind: string | null; last_success_at: string | null; last_failure: { at: string; reason: string } | null; active_refresh_tokens: number }[];
}

const HHMM = CLOCK;

/** "Why can't I sign in?" answered in one call, each blocker driven for real. */
describe('diagnosis', () => {
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;
  let web: oidc.Configuration;
  let mobile: oidc.Configuration;
  let downloader: oidc.Configuration;
  const callback = () => `${issuer}${DEMO.callbackPath}`;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, TRUST_PROXY: '1' } });
    issuer = server.issuer;
    operator = await operatorToken(issuer);
    web = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
    mobile = await discoverClient(issuer, DEMO.mobile.clientId);
    downloader = await discoverClient(issuer, DEMO.downloader.clientId);
  });
  afterAll(async () => server?.stop());

  async function createUser(username: string, fields: Record<string, unknown> = {}, tenant = 'demo') {
    const { id, password } = await createUserVia(issuer, operator, { username, tenant, email: `${username}@demo.test`, ...fields });
    return { id, password: password! };
  }

  async function diagnosis(userId: string, tenant = 'demo', token = operator): Promise<Diagnosis> {
    await server.gatehouse.events.flush();
    const answer = await adminCall(issuer, token, 'GET', `/tenants/${tenant}/users/${userId}/diagnosis`);
    expect(answer.status).toBe(200);
    return answer.body;
  }

  function browserAt(ip: string, userAgent?: string) {
    const browser = new HttpBrowser();
    browser.headers['x-forwarded-for'] = ip;
    if (userAgent) browser.headers['user-agent'] = userAgent;
    return browser;
  }

  /** Posts the mobile app's login form `times` times from `browser`. */
  async function typePasswords(browser: HttpBrowser, username: string, passwords: string[]) {
    const url = oidc.buildAuthorizationUrl(mobile, { redirect_uri: callback(), scope: 'openid offline_access', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const action = new URL(HttpBrowser.formAction(await browser.go(url.toString()), /\/login$/), issuer).toString();
    for (const password of passwords) await browser.go(action, { form: { username, password } }, callback());
  }

  it('explains a lock from wrong passwords typed in the mobile app, and the unlock clears it', async () => {
    const user = await createUser('lena');
    await typePasswords(browserAt('203.0.113.150'), 'lena', ['a-wrong-1', 'a-wrong-2', 'a-wrong-3', 'a-wrong-4', 'a-wrong-5']);

    const locked = await diagnosis(user.id);
    expect(locked.can_sign_in).toBe(false);
    expect(locked.blockers).toEqual([
      { code: 'locked', message: expect.stringMatching(new RegExp(`^locked until ${HHMM} after 5 failed passwords from the mobile app at 203\\.0\\.113\\.150$`)), since: expect.any(String), until: expect.any(String) },
    ]);
    const seconds = (Date.parse(locked.blockers[0]!.until!) - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(50);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(locked.clients).toEqual([{ client_id: DEMO.mobile.clientId, kind: 'mobile', last_success_at: null, last_failure: { at: expect.any(String), reason: 'wrong_password' }, active_refresh_tokens: 0 }]);

    expect((await adminCall(issuer, operator, 'POST', `/tenants/demo/users/${user.id}/unlock`)).status).toBe(200);
    expect(await diagnosis(user.id)).toMatchObject({ can_sign_in: true, blockers: [] });
  });

  it("after an administrator changes the password, says who and when, which apps' refresh tokens went, and which keep failing", async () => {
    const janeUser = await createUser('jane', { role: 'admin' });
    const jane = (await signInWithCode(web, { username: 'jane', password: janeUser.password, redirectUri: callback(), scope: 'openid admin' })).tokens.access_token;

    const walt = await createUser('walt');
    const phone = await signInWithCode(mobile, { username: 'walt', password: walt.password, redirectUri: callback() });
    const pc = await signInWithDevice(downloader, { username: 'walt', password: walt.password });
    expect((await adminCall(issuer, jane, 'PUT', `/tenants/demo/users/${walt.id}/password`, { password: 'second-copper-kettle-3' })).status).toBe(200);

    for (let i = 0; i < 2; i++) await expect(oidc.refreshTokenGrant(mobile, phone.tokens.refresh_token!)).rejects.toMatchObject({ error_description: 'the password was changed by an administrator; sign in again' });
    await expect(oidc.refreshTokenGrant(downloader, pc.refresh_token!)).rejects.toMatchObject({ error_description: 'the password was changed by an administrator; sign in again' });

    await eventually(async () => {
      const result = await diagnosis(walt.id);
      expect(result.can_sign_in).toBe(true);
      expect(result.blockers).toEqual([
        {
          code: 'tokens_revoked_by_password_change',
          message: expect.stringMatching(new RegExp(`^password changed by admin jane at ${HHMM}; the mobile app's and the downloader's refresh tokens were revoked then; the mobile app has failed twice and the downloader once since$`)),
          since: expect.any(String),
        },
      ]);
      expect(result.clients).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ client_id: DEMO.mobile.clientId, kind: 'mobile', active_refresh_tokens: 0, last_failure: expect.objectContaining({ reason: 'password_changed_by_admin' }) }),
          expect.objectContaining({ client_id: DEMO.downloader.clientId, kind: 'downloader', active_refresh_tokens: 0, last_failure: expect.objectContaining({ reason: 'password_changed_by_admin' }) }),
        ]),
      );
    });

    // Signed in again on the phone: only the downloader is still left out.
    await signInWithCode(mobile, { username: 'walt', password: 'second-copper-kettle-3', redirectUri: callback() });
    const later = await diagnosis(walt.id);
    expect(later.blockers.map((b) => b.message)).toEqual([expect.stringMatching(/; the downloader's refresh tokens were revoked then; the downloader has failed once since$/)]);
    expect(later.clients.find((c) => c.client_id === DEMO.mobile.clientId)).toMatchObject({ active_refresh_tokens: 1, last_success_at: expect.any(String) });
  });

  it('says an old password is being retried, and from which app, address and browser', async () => {
    const olga = await createUser('olga');
    expect((await adminCall(issuer, operator, 'PUT', `/tenants/demo/users/${olga.id}/password`, { password: 'second-copper-kettle-5' })).status).toBe(200);
    await typePasswords(browserAt('192.0.2.80', 'SyncTool/2.1'), 'olga', [olga.password, olga.password, olga.password]);

    const today = new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
    await eventually(async () => {
      const result = await diagnosis(olga.id);
      expect(result.blockers).toContainEqual({
        code: 'old_password_retried',
        message: expect.stringMatching(new RegExp(`^an old password \\(replaced on ${today}\\) is being retried from the mobile app at 192\\.0\\.2\\.80 \\(SyncTool/2\\.1\\): 3 times, last at ${HHMM}$`)),
        since: expect.any(String),
      });
      // A wrong password is not a lock: the right one still works.
      expect(result.can_sign_in).toBe(true);
    });
  });

  it('explains a disabled account, a temporary password still to change, and one that expired', async () => {
    const dora = await createUser('dora-disabled');
    await adminCall(issuer, operator, 'PATCH', `/tenants/demo/users/${dora.id}`, { disabled: true });
    expect(await diagnosis(dora.id)).toMatchObject({
      can_sign_in: false,
      blockers: [{ code: 'disabled', message: expect.stringMatching(new RegExp(`^the account was disabled by operator client operator at ${HHMM}; enable it to let the user sign in$`)) }],
    });

    const created = await adminCall(issuer, operator, 'POST', '/tenants/demo/users', { username: 'newcomer', email: 'newcomer@demo.test' });
    expect(await diagnosis(created.body.id)).toMatchObject({ can_sign_in: true, blockers: [{ code: 'password_change_required', until: expect.any(String) }] });
    await server.gatehouse.database.knex('users').where({ id: created.body.id }).update({ password_expires_at: new Date(Date.now() - 60_000) });
    expect(await diagnosis(created.body.id)).toMatchObject({ can_sign_in: false, blockers: [{ code: 'temporary_password_expired', message: expect.stringMatching(/send a new one$/) }] });
  });

  it('tells a sign-out everywhere apart from a password change', async () => {
    const sid = await createUser('sid');
    await signInWithCode(mobile, { username: 'sid', password: sid.password, redirectUri: callback() });
    await adminCall(issuer, operator, 'POST', `/tenants/demo/users/${sid.id}/sign-out`);
    expect((await diagnosis(sid.id)).blockers).toEqual([
      { code: 'tokens_revoked_by_sign_out', message: expect.stringMatching(new RegExp(`^signed out everywhere by operator client operator at ${HHMM}; the mobile app's refresh tokens were revoked then$`)), since: expect.any(String) },
    ]);
  });

  it('tells a tenant requiring the SMS step that the user has no phone to receive it', async () => {
    expect((await adminCall(issuer, operator, 'POST', '/tenants', { slug: 'strict-clinic', name: 'Strict Clinic', settings: { mfa: { mode: 'required' } } })).status).toBe(201);
    const nurse = await createUser('nurse-no-phone', {}, 'strict-clinic');
    expect((await diagnosis(nurse.id, 'strict-clinic')).blockers).toEqual([{ code: 'mfa_phone_missing', message: expect.stringMatching(/no mobile number on the profile/), since: null }]);
  });

  it("is answered for the caller's own tenant only", async () => {
    const user = await createUser('private-pat');
    expect((await adminCall(issuer, operator, 'POST', '/tenants', { slug: 'other-clinic', name: 'Other Clinic' })).status).toBe(201);
    expect((await adminCall(issuer, operator, 'GET', `/tenants/other-clinic/users/${user.id}/diagnosis`)).status).toBe(404);
    expect((await adminCall(issuer, undefined, 'GET', `/tenants/demo/users/${user.id}/diagnosis`)).status).toBe(401);
  });
});
