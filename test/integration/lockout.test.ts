import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, createUser as createUserVia, operatorToken } from '../helpers/admin-api.js';
import { codeIn } from '../helpers/aws-recorder.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { eventually, expireLockoutKeys } from '../helpers/lockout-clock.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { emailsTo, fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';
import { CLOCK } from '../helpers/clock-pattern.js';

const INCORRECT = 'The username or password is incorrect.';
// The time alone, for comparing; the date comes with it when the lock ends on another day.
const LOCKED = /Too many failed attempts: sign-in is temporarily locked until (?:\d{4}-\d\d-\d\d )?(\d\d:\d\d) UTC/;

/**
 * Brute-force protection through the login form (DESIGN §7), against the real counter store.
 * TRUST_PROXY lets each test browser come from its own address (X-Forwarded-For).
 */
describe('sign-in lockout', () => {
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;
  let mobile: oidc.Configuration;
  const callback = () => `${issuer}${DEMO.callbackPath}`;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, TRUST_PROXY: '1' } });
    issuer = server.issuer;
    operator = await operatorToken(issuer);
    mobile = await discoverClient(issuer, DEMO.mobile.clientId);
  });
  afterAll(async () => server?.stop());

  async function createUser(username: string, password = `violet-harbour-${Math.random().toString(36).slice(2, 8)}`) {
    return { id: (await createUserVia(issuer, operator, { username, password, email: `${username}@demo.test` })).id, password };
  }

  /** The mobile app's login page in a browser at `ip`; `submit` posts the form as a person would. */
  async function loginForm(ip: string, browser = new HttpBrowser()) {
    browser.headers['x-forwarded-for'] = ip;
    const url = oidc.buildAuthorizationUrl(mobile, {
      redirect_uri: callback(),
      scope: 'openid offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      prompt: 'login',
    });
    const page = await browser.go(url.toString());
    const action = new URL(HttpBrowser.formAction(page, /\/login$/), issuer).toString();
    return {
      browser,
      async submit(username: string, password: string) {
        const page = await browser.go(action, { form: { username, password } }, callback());
        return { page, status: browser.lastStatus, retryAfter: Number(browser.lastHeaders.get('retry-after') ?? 0), signedIn: page.startsWith(callback()) };
      },
    };
  }

  async function failTimes(form: Awaited<ReturnType<typeof loginForm>>, username: string, times: number, password = (i: number) => `wrong-guess-${i}`) {
    let last!: Awaited<ReturnType<typeof form.submit>>;
    for (let i = 0; i < times; i++) last = await form.submit(username, password(i));
    return last;
  }

  const userEvents = async (userId: string) => (await adminCall(issuer, operator, 'GET', `/tenants/demo/users/${userId}/events?limit=200`)).body.items as { type: string; reason: string; ip: string; client_id: string; client_kind: string; details: Record<string, unknown>; actor: unknown }[];

  it('locks a username from one address after five wrong passwords, says until when, and refuses even the right password meanwhile', async () => {
    const lou = await createUser('lou');
    const form = await loginForm('203.0.113.10');
    for (let i = 0; i < 4; i++) {
      const attempt = await form.submit('lou', `wrong-${i}`);
      expect(attempt).toMatchObject({ status: 401 });
      expect(attempt.page).toContain(INCORRECT);
    }
    const fifth = await form.submit('lou', 'wrong-4');
    expect(fifth.status).toBe(429);
    expect(fifth.retryAfter).toBeGreaterThanOrEqual(58);
    expect(fifth.retryAfter).toBeLessThanOrEqual(60);
    const until = new Date(Date.now() + fifth.retryAfter * 1000).toISOString().slice(11, 16);
    expect(LOCKED.exec(fifth.page)?.[1]).toBe(until);
    expect(fifth.page).toMatch(/role="alert"/);
    expect(fifth.page).toMatch(/Forgot your password\?/);

    const right = await form.submit('lou', lou.password);
    expect(right).toMatchObject({ status: 429, signedIn: false });
    expect(right.page).toMatch(LOCKED);

    // The lock holds this address only: the person signs in from elsewhere, and that does not
    // lift the lock on the address the guesses came from.
    expect((await (await loginForm('203.0.113.11')).submit('lou', lou.password)).signedIn).toBe(true);
    expect((await (await loginForm('203.0.113.10')).submit('lou', lou.password)).status).toBe(429);

    await server.gatehouse.events.flush();
    const events = await userEvents(lou.id);
    expect(events.filter((e) => e.type === 'login.failed' && e.reason === 'wrong_password')).toHaveLength(5);
    expect(events).toContainEqual(expect.objectContaining({ type: 'account.locked', reason: 'username_ip', ip: '203.0.113.10', client_id: DEMO.mobile.clientId, client_kind: 'mobile' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'login.failed', reason: 'locked', ip: '203.0.113.10' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'login.succeeded', ip: '203.0.113.11' }));

    // The person is told, once, however long the attack goes on (DESIGN §8).
    // Emails leave through the outbox's worker: wait for it, then make sure no second one follows.
    const notices = () => emailsTo(server, 'lou@demo.test', 'Sign-in to your account was locked');
    await eventually(async () => {
      if (notices().length === 0) throw new Error('no notice yet');
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(notices()).toHaveLength(1);
  });

  it('counts and locks an unknown username exactly like a real one, so the pages do not tell which exists', async () => {
    await createUser('kim');
    const known = await loginForm('203.0.113.20');
    const unknown = await loginForm('203.0.113.21');
    const normalise = (html: string, username: string) =>
      html
        .replaceAll(username, 'USERNAME')
        .replace(/\/interaction\/[\w-]+/g, '/interaction/UID')
        // The language switcher's links lead back to this same page.
        .replace(/%2Finteraction%2F[\w-]+/g, '%2Finteraction%2FUID')
        .replace(new RegExp(CLOCK, 'g'), 'HH:MM UTC');
    for (let i = 0; i < 6; i++) {
      const a = await known.submit('kim', `wrong-${i}`);
      const b = await unknown.submit('kim-is-not-here', `wrong-${i}`);
      expect([b.status, normalise(b.page, 'kim-is-not-here')]).toEqual([a.status, normalise(a.page, 'kim')]);
    }
    expect((await unknown.submit('kim-is-not-here', 'anything')).page).toMatch(LOCKED);
  });

  it('cannot be bypassed by changing the case or spacing of the username', async () => {
    const mona = await createUser('mona');
    const form = await loginForm('203.0.113.30');
    for (const [i, spelling] of ['Mona', 'MONA', 'mona', ' mona ', 'MoNa'].entries()) await form.submit(spelling, `wrong-${i}`);
    expect((await form.submit('mona', mona.password)).page).toMatch(LOCKED);
  });

  it('doubles the lock with each further failure, up to 15 minutes', async () => {
    await createUser('dora');
    const form = await loginForm('203.0.113.40');
    const durations = [(await failTimes(form, 'dora', 5)).retryAfter];
    for (let i = 0; i < 5; i++) {
      // The lock's minutes pass; the count of failures stays.
      await expireLockoutKeys(server.gatehouse);
      durations.push((await form.submit('dora', `another-wrong-${i}`)).retryAfter);
    }
    const minutes = durations.map((seconds) => Math.round(seconds / 60));
    expect(minutes).toEqual([1, 2, 4, 8, 15, 15]);
  });

  it('counts a wrong password retried unchanged only once (an old password saved in an app)', async () => {
    const sam = await createUser('sam');
    const form = await loginForm('203.0.113.50');
    for (let i = 0; i < 8; i++) expect((await form.submit('sam', 'saved-old-password')).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await form.submit('sam', `new-guess-${i}`)).status).toBe(401);
    // The fifth different wrong password.
    expect((await form.submit('sam', 'new-guess-3')).status).toBe(429);

    await eventually(async () => {
      await server.gatehouse.events.flush();
      const failures = (await userEvents(sam.id)).filter((e) => e.type === 'login.failed' && e.reason === 'wrong_password');
      expect(failures.filter((e) => e.details.repeated === true)).toHaveLength(7);
      expect(failures).toHaveLength(12);
    });
  });

  it('forgets the failures after a success, so a person who mistypes now and then is never locked', async () => {
    const tia = await createUser('tia');
    await failTimes(await loginForm('203.0.113.60'), 'tia', 4);
    expect((await (await loginForm('203.0.113.60')).submit('tia', tia.password)).signedIn).toBe(true);
    const again = await failTimes(await loginForm('203.0.113.60'), 'tia', 4);
    expect(again.status).toBe(401);
  });

  it('locks a username from every address after 20 failures, except in a browser that signed in as the user before', async () => {
    const nadia = await createUser('nadia');
    const home = new HttpBrowser();
    home.headers['x-forwarded-for'] = '192.0.2.50';
    await signInWithCode(mobile, { username: 'nadia', password: nadia.password, redirectUri: callback(), browser: home });

    // A distributed attack: 4 guesses from each of 5 addresses, under the per-address lock.
    for (let address = 0; address < 5; address++) await failTimes(await loginForm(`198.51.100.${address + 1}`), 'nadia', 4, (i) => `spray-${address}-${i}`);

    const stranger = await (await loginForm('192.0.2.77')).submit('nadia', nadia.password);
    expect(stranger.status).toBe(429);
    expect(stranger.page).toMatch(LOCKED);

    const atHome = await (await loginForm('192.0.2.50', home)).submit('nadia', nadia.password);
    expect(atHome.signedIn).toBe(true);

    await server.gatehouse.events.flush();
    expect(await userEvents(nadia.id)).toContainEqual(expect.objectContaining({ type: 'account.locked', reason: 'username', details: expect.objectContaining({ failures: 20 }) }));
  });

  it('locks an address after 100 failed passwords within an hour across usernames', async () => {
    const vic = await createUser('vic');
    const form = await loginForm('198.51.100.200');
    for (let i = 0; i < 100; i++) await form.submit(`sprayed-user-${i}`, 'Summer2026!');
    const right = await (await loginForm('198.51.100.200')).submit('vic', vic.password);
    expect(right.status).toBe(429);
    expect(right.page).toMatch(LOCKED);
    // The hour passes.
    await expireLockoutKeys(server.gatehouse, 'lockout-ip');
    expect((await (await loginForm('198.51.100.200')).submit('vic', vic.password)).signedIn).toBe(true);
  });

  it('tells a browser that signed in as the user before that it typed a previous password; anyone else hears the generic message', async () => {
    const pia = await createUser('pia', 'pia-original-password');
    const home = new HttpBrowser();
    home.headers['x-forwarded-for'] = '192.0.2.60';
    await signInWithCode(mobile, { username: 'pia', password: 'pia-original-password', redirectUri: callback(), browser: home });
    // An administrator gives pia a temporary password (that forgets every browser pia used), and
    // pia chooses a new one at home: home is a browser that signed in as pia again.
    expect((await adminCall(issuer, operator, 'PUT', `/tenants/demo/users/${pia.id}/password`, { password: 'pia-temporary-password', temporary: true })).status).toBe(200);
    const forcedChange = await (await loginForm('192.0.2.60', home)).submit('pia', 'pia-temporary-password');
    expect(forcedChange.page).toMatch(/name="new_password"/);
    const changed = await home.go(new URL(HttpBrowser.formAction(forcedChange.page, /password-change$/), issuer).toString(), { form: { new_password: 'pia-replacement-password', confirm_password: 'pia-replacement-password' } }, callback());
    expect(changed.startsWith(callback())).toBe(true);

    const today = new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
    const atHome = await (await loginForm('192.0.2.60', home)).submit('pia', 'pia-original-password');
    expect(atHome.status).toBe(401);
    expect(atHome.page).toContain(`This is a previous password; it was changed on ${today}.`);

    const elsewhere = await (await loginForm('192.0.2.61')).submit('pia', 'pia-original-password');
    expect(elsewhere.page).toContain(INCORRECT);
    expect(elsewhere.page).not.toMatch(/previous password/);

    // Support sees both as an old password, the stranger's too.
    await eventually(async () => {
      await server.gatehouse.events.flush();
      const previous = (await userEvents(pia.id)).filter((e) => e.type === 'login.failed' && e.reason === 'previous_password');
      expect(previous.map((e) => e.ip).sort()).toEqual(['192.0.2.60', '192.0.2.61']);
    });
  });

  it('is lifted by an administrator', async () => {
    const quinn = await createUser('quinn');
    const form = await loginForm('203.0.113.70');
    await failTimes(form, 'quinn', 5);
    await server.gatehouse.events.flush();

    const unlocked = await adminCall(issuer, operator, 'POST', `/tenants/demo/users/${quinn.id}/unlock`);
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.unlocked).toEqual([expect.objectContaining({ scope: 'username_ip', ip: '203.0.113.70', failures: 5 })]);
    expect((await form.submit('quinn', quinn.password)).signedIn).toBe(true);

    await server.gatehouse.events.flush();
    const events = await userEvents(quinn.id);
    expect(events).toContainEqual(expect.objectContaining({ type: 'account.unlocked', reason: 'unlocked_by_admin', actor: { type: 'operator', client_id: OPERATOR_ENV.BOOTSTRAP_OPERATOR_CLIENT_ID } }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'admin.user_unlocked' }));
    expect((await adminCall(issuer, operator, 'POST', `/tenants/demo/users/00000000-0000-4000-8000-000000000000/unlock`)).status).toBe(404);
  });

  it('never blocks forgot-password, and a completed reset lifts the lock', async () => {
    await createUser('rosa');
    const form = await loginForm('203.0.113.80');
    const locked = await failTimes(form, 'rosa', 5);
    expect(locked.page).toMatch(LOCKED);

    const forgot = await form.browser.go(new URL(/href="([^"]*forgot-password)"/.exec(locked.page)![1]!, issuer).toString());
    const codePage = await form.browser.go(new URL(HttpBrowser.formAction(forgot), issuer).toString(), { form: { username: 'rosa' } });
    const email = await eventually(async () => {
      const [found] = emailsTo(server, 'rosa@demo.test', 'Your password reset code');
      if (!found) throw new Error('no reset email yet');
      return found;
    });
    const landed = await form.browser.go(new URL(HttpBrowser.formAction(codePage, /forgot-password\/[0-9a-f-]+$/), issuer).toString(), { form: { code: codeIn(email.text), new_password: 'amber-lantern-reset-7', confirm_password: 'amber-lantern-reset-7' } }, callback());
    expect(landed.startsWith(callback())).toBe(true);

    expect((await (await loginForm('203.0.113.80')).submit('rosa', 'amber-lantern-reset-7')).signedIn).toBe(true);
  });

  it('counts wrong second-factor codes toward the same lockout (the API the SMS step calls)', async () => {
    const uma = await createUser('uma');
    const user = (await server.gatehouse.services.passwordLogin.attempt({ username: 'uma', password: uma.password, source: { ip: '203.0.113.90' } })) as { ok: true; user: Parameters<typeof server.gatehouse.services.lockout.recordSecondFactorFailure>[0] };
    expect(user.ok).toBe(true);
    const source = { ip: '203.0.113.90', clientId: DEMO.mobile.clientId, clientKind: 'mobile' };
    const results = [];
    for (let i = 0; i < 5; i++) {
      // Each SMS challenge follows a right password, which must not wipe the count.
      expect((await server.gatehouse.services.passwordLogin.attempt({ username: 'uma', password: uma.password, source })).ok).toBe(true);
      results.push(await server.gatehouse.services.lockout.recordSecondFactorFailure(user.user, source));
    }
    expect(results.slice(0, 4).every((r) => r.lockedUntil === undefined)).toBe(true);
    expect(results[4]!.lockedUntil).toBeInstanceOf(Date);
    expect(await server.gatehouse.services.lockout.lockedUntil(user.user, source, false)).toEqual(expect.any(Date));
    expect((await (await loginForm('203.0.113.91')).submit('uma', uma.password)).status).toBe(429);

    await server.gatehouse.events.flush();
    expect(await userEvents(uma.id)).toContainEqual(expect.objectContaining({ type: 'account.locked', reason: 'second_factor', details: expect.objectContaining({ cause: 'second_factor' }) }));
    const diagnosis = await adminCall(issuer, operator, 'GET', `/tenants/demo/users/${uma.id}/diagnosis`);
    expect(diagnosis.body.blockers).toEqual([expect.objectContaining({ code: 'locked', message: expect.stringMatching(/after the SMS code was entered wrong too often in 5 sign-ins$/) })]);
  });
});
