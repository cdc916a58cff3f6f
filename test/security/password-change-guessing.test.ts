import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, createUser, operatorToken } from '../helpers/admin-api.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

const LOCKED = /Too many failed attempts/;

/**
 * The attack: the forced password-change form asks for the temporary password again (when the
 * sign-in did not just type it) and checked it without any lockout, so it could be guessed
 * without limit. Wrong temporary passwords there now count toward the same lockout as the login
 * form's: after `max_failures` the form is locked, and so is the login form.
 */
describe('guessing the temporary password at the forced password change', () => {
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;
  let mobile: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, TRUST_PROXY: '1' } });
    issuer = server.issuer;
    operator = await operatorToken(issuer);
    mobile = await discoverClient(issuer, DEMO.mobile.clientId);
  });
  afterAll(async () => server?.stop());

  async function authorize(browser: HttpBrowser): Promise<string> {
    const url = oidc.buildAuthorizationUrl(mobile, {
      redirect_uri: `${issuer}${DEMO.callbackPath}`,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    return browser.go(url.toString());
  }

  it('locks the change form after five wrong temporary passwords, and the login form with it', async () => {
    const user = await createUser(issuer, operator, { username: 'temp-guessed' });
    const temporary = 'temporary-pass-1234';
    expect((await adminCall(issuer, operator, 'PUT', `/tenants/demo/users/${user.id}/password`, { password: temporary, temporary: true })).status).toBe(200);

    const browser = new HttpBrowser();
    browser.headers['x-forwarded-for'] = '198.51.100.23';
    const login = await authorize(browser);
    const changePage = await browser.go(new URL(HttpBrowser.formAction(login, /\/login$/), issuer).toString(), { form: { username: 'temp-guessed', password: temporary } });
    expect(changePage).toMatch(/password-change/);
    // A later authorization in the same browser: the temporary password is asked again.
    const asked = await authorize(browser);
    expect(asked).toMatch(/name="password"/);
    const action = new URL(HttpBrowser.formAction(asked, /password-change$/), issuer).toString();
    const attempt = (password: string) => browser.go(action, { form: { password, new_password: 'brand-new-pass-5678', confirm_password: 'brand-new-pass-5678' } });

    for (let i = 0; i < 4; i++) {
      const page = await attempt(`guess-${i}`);
      expect(browser.lastStatus).toBe(400);
      expect(page).toMatch(/temporary password is not right/);
    }
    const fifth = await attempt('guess-4');
    expect(browser.lastStatus).toBe(429);
    expect(fifth).toMatch(LOCKED);
    expect(Number(browser.lastHeaders.get('retry-after'))).toBeGreaterThan(0);
    // Locked: even the right temporary password is refused here now…
    expect(await attempt(temporary)).toMatch(LOCKED);
    expect(browser.lastStatus).toBe(429);
    // …and at the login form from the same address.
    const other = new HttpBrowser();
    other.headers['x-forwarded-for'] = '198.51.100.23';
    const form = await authorize(other);
    const refused = await other.go(new URL(HttpBrowser.formAction(form, /\/login$/), issuer).toString(), { form: { username: 'temp-guessed', password: temporary } });
    expect(other.lastStatus).toBe(429);
    expect(refused).toMatch(LOCKED);

    await server.gatehouse.events.flush();
    const failures = await server.gatehouse.database.knex('events').where({ user_id: user.id, type: 'login.failed', reason: 'wrong_password' });
    expect(failures.filter((e) => e.details?.step === 'password_change')).toHaveLength(5);
    expect(await server.gatehouse.database.knex('events').where({ user_id: user.id, type: 'account.locked' })).not.toHaveLength(0);
  });
});
