import * as oidc from 'openid-client';
import { totpCodeAt } from '../../src/domain/second-factor/totp/totp.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { SignInHarness } from '../helpers/sign-in-harness.js';

/** Authenticator apps, recovery codes and "try another way", with a clock the test moves. */
describe('second-factor methods', () => {
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const h = new SignInHarness();
  beforeAll(() => h.start({ gatehouse: { now } }));
  afterAll(() => h.stop());
  afterEach(() => {
    offsetMs = 0;
  });

  async function amrOf(landed: string, browser: HttpBrowser, verifier: string) {
    void browser;
    return (await oidc.authorizationCodeGrant(h.web, new URL(landed), { pkceCodeVerifier: verifier })).claims()!.amr;
  }

  /** A sign-in up to the second step, keeping the PKCE verifier to redeem the code. */
  async function signIn(browser: HttpBrowser, username: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const page = await h.passwordStep(browser, username, undefined, { prompt: 'login', code_challenge: await oidc.calculatePKCECodeChallenge(verifier) });
    return { page, verifier };
  }

  /** Sets up an authenticator app at the first sign-in; returns its secret and the recovery codes shown. */
  async function setUpApp(slug: string, username: string) {
    await h.user(slug, username);
    const browser = new HttpBrowser();
    const signedIn = await signIn(browser, username);
    const { verifier } = signedIn;
    // Where a phone is offered first, the person chooses the app instead.
    const page = /Use an authenticator app instead/.test(signedIn.page) ? await h.post(browser, signedIn.page, { method: 'totp' }, /second-factor\/setup$/) : signedIn.page;
    expect(page).toMatch(/Set up your authenticator app/);
    expect(page).toMatch(/<svg[^>]*>/);
    const secret = />([A-Z2-7 ]{16,})<\/code>/.exec(page)![1]!.replace(/ /g, '');
    const codesPage = await h.post(browser, page, { code: totpCodeAt(secret, now()) });
    const recoveryCodes = [...codesPage.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) => m[1]!);
    const continueUrl = /href="([^"]+)">I have kept them/.exec(codesPage)![1]!.replace(/&amp;/g, '&');
    const landed = await browser.go(new URL(continueUrl, h.issuer).toString(), {}, h.callback);
    return { browser, secret, recoveryCodes, landed, verifier };
  }

  it('sets up an authenticator app from a QR code, confirmed by a first code, and shows ten recovery codes once', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required', methods: ['totp', 'recovery_code'] } });
    const { browser, recoveryCodes, landed, verifier } = await setUpApp(slug, `app-${slug}`);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(landed).toMatch(new RegExp(`^${h.callback}\\?code=`));
    expect(await amrOf(landed, browser, verifier)).toEqual(['pwd', 'otp']);
  });

  it('accepts a code one step either side, never the same code twice', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required', methods: ['totp', 'recovery_code'] } });
    const { secret } = await setUpApp(slug, `clock-${slug}`);

    offsetMs = 5 * 60_000;
    const firstBrowser = new HttpBrowser();
    const first = await signIn(firstBrowser, `clock-${slug}`);
    expect(first.page).toMatch(/Enter the code from your app/);
    const browser = new HttpBrowser();
    const { page } = await signIn(browser, `clock-${slug}`);
    // The code of the step before still counts (a slow typist, a phone clock behind).
    const previousStep = totpCodeAt(secret, new Date(now().getTime() - 30_000));
    expect(await h.post(browser, page, { code: previousStep })).toMatch(new RegExp(`^${h.callback}\\?code=`));
    // The same code again, in another sign-in: refused.
    const again = await h.post(firstBrowser, first.page, { code: previousStep });
    expect(again).toMatch(/That code is not right/);
    // Three steps away: refused.
    const late = new HttpBrowser();
    expect(await h.post(late, (await signIn(late, `clock-${slug}`)).page, { code: totpCodeAt(secret, new Date(now().getTime() + 90_000)) })).toMatch(/That code is not right/);
  });

  it('lets a person who lost the app in with a recovery code, once, and tells them by email', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required', methods: ['totp', 'recovery_code'] } });
    const username = `lost-${slug}`;
    const { recoveryCodes } = await setUpApp(slug, username);

    const browser = new HttpBrowser();
    const { page, verifier } = await signIn(browser, username);
    expect(page).toMatch(/Try another way/);
    const codePage = await h.post(browser, page, { method: 'recovery_code' }, /second-factor\/method$/);
    expect(codePage).toMatch(/Enter a recovery code/);
    const landed = await h.post(browser, codePage, { code: ` ${recoveryCodes[3]!.toUpperCase()} ` });
    expect(landed).toMatch(new RegExp(`^${h.callback}\\?code=`));
    expect(await amrOf(landed, browser, verifier)).toEqual(['pwd', 'otp']);
    await h.aws.waitForEmail(`${username}@clinic.test`, (e) => e.subject === 'A recovery code was used to sign in' && /Unused recovery codes left: 9/.test(e.text));

    // Used once: gone.
    const other = new HttpBrowser();
    const again = await h.post(other, (await signIn(other, username)).page, { method: 'recovery_code' }, /second-factor\/method$/);
    expect(await h.post(other, again, { code: recoveryCodes[3]! })).toMatch(/That code is not right/);
  });

  it('offers the other methods instead of a dead end when no text message can be sent', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required' }, sms: { monthly_budget: 0 } });
    const username = `budget-${slug}`;
    const { secret } = await setUpApp(slug, username);
    const user = (await h.admin('GET', `/tenants/${slug}/users?q=${username}`)).body.items[0];
    expect((await h.admin('PATCH', `/tenants/${slug}/users/${user.id}`, { phone: '+1 415 555 0190' })).status).toBe(200);

    const browser = new HttpBrowser();
    const { page, verifier } = await signIn(browser, username);
    expect(page).toMatch(/Enter the code from your app/);
    const bySms = await h.post(browser, page, { method: 'sms' }, /second-factor\/method$/);
    expect(bySms).toMatch(/text-message budget for this month is used up/);
    expect(bySms).toMatch(/Use my authenticator app/);
    const back = await h.post(browser, bySms, { method: 'totp' }, /second-factor\/method$/);
    offsetMs += 30_000;
    const landed = await h.post(browser, back, { code: totpCodeAt(secret, now()) });
    expect(landed).toMatch(new RegExp(`^${h.callback}\\?code=`));
    expect(await amrOf(landed, browser, verifier)).toEqual(['pwd', 'otp']);
  });

  it('shows administrators which methods a user has, lets them remove one, and issue a one-time bypass', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required', methods: ['totp', 'recovery_code'] } });
    const username = `bypass-${slug}`;
    await setUpApp(slug, username);
    const user = (await h.admin('GET', `/tenants/${slug}/users?q=${username}`)).body.items[0];
    const methods = (await h.admin('GET', `/tenants/${slug}/users/${user.id}/second-factor-methods`)).body.items;
    expect(methods.map((m: { kind: string; detail: string | null }) => [m.kind, m.detail])).toEqual([
      ['totp', null],
      ['recovery_codes', '10 left'],
    ]);
    expect(JSON.stringify(methods)).not.toMatch(/secret/i);
    for (const method of methods) expect((await h.admin('DELETE', `/tenants/${slug}/users/${user.id}/second-factor-methods/${method.id}`)).status).toBe(204);
    expect((await h.admin('DELETE', `/tenants/${slug}/users/${user.id}/second-factor-methods/sms`)).status).toBe(404);

    const issued = await h.admin('POST', `/tenants/${slug}/users/${user.id}/second-factor-bypass`, { minutes: 30 });
    expect(issued.status).toBe(201);
    await h.aws.waitForEmail(`${username}@clinic.test`, (e) => e.subject === 'You may sign in once without the second step');

    const browser = new HttpBrowser();
    const { page, verifier } = await signIn(browser, username);
    expect(page).toMatch(/allowed you to sign in once without this step/);
    const landed = await h.post(browser, page, {}, /second-factor\/bypass$/);
    expect(landed).toMatch(new RegExp(`^${h.callback}\\?code=`));
    expect(await amrOf(landed, browser, verifier)).toEqual(['pwd']);
    // Once only.
    const next = new HttpBrowser();
    expect((await signIn(next, username)).page).not.toMatch(/allowed you to sign in once/);
    await h.server.gatehouse.events.flush();
    const types = (await h.server.gatehouse.database.knex('events').where({ user_id: user.id }).select('type')).map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['admin.second_factor_removed', 'admin.second_factor_bypass_issued', 'mfa.bypass_used']));
  });

  it('names "no usable second factor" in the diagnosis when SMS is the only method and no text can be sent', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required' }, sms: { monthly_budget: 0 } });
    const { id } = await h.user(slug, `stuck-${slug}`, { phone: '+1 415 555 0191' });
    await h.passwordStep(new HttpBrowser(), `stuck-${slug}`);
    const diagnosis = (await h.admin('GET', `/tenants/${slug}/users/${id}/diagnosis`)).body;
    expect(diagnosis.can_sign_in).toBe(false);
    expect(diagnosis.blockers.map((b: { code: string }) => b.code)).toContain('no_usable_second_factor');
  });
});
