import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, createUser as createUserVia, operatorToken } from '../helpers/admin-api.js';
import { AwsRecorder, codeIn } from '../helpers/aws-recorder.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

const DAY = 24 * 60 * 60 * 1000;

/** The SMS second factor, with SMS through the real SNS client to a local recorder and a movable clock. */
describe('SMS second factor', () => {
  const aws = new AwsRecorder();
  let clockOffsetMs = 0;
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;
  let web: oidc.Configuration;
  const callback = () => `${issuer}${DEMO.callbackPath}`;
  let tenantSeq = 0;

  beforeAll(async () => {
    const env = aws.useForAws(await aws.start());
    server = await startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, ...env }, gatehouse: { now: () => new Date(Date.now() + clockOffsetMs) } });
    issuer = server.issuer;
    operator = await operatorToken(issuer);
    web = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
  });
  afterAll(async () => {
    await server?.stop();
    await aws.stop();
  });
  afterEach(() => {
    clockOffsetMs = 0;
  });

  async function tenantWith(settings: Record<string, unknown>): Promise<string> {
    const slug = `clinic-${++tenantSeq}`;
    expect((await adminCall(issuer, operator, 'POST', '/tenants', { slug, name: `Clinic ${tenantSeq}`, settings: { country: 'US', ...settings } })).status).toBe(201);
    return slug;
  }

  async function userIn(slug: string, username: string, phone?: string, role = 'member') {
    return (await createUserVia(issuer, operator, { username, tenant: slug, email: `${username}@clinic.test`, password: 'amber-lantern-42', role, ...(phone ? { phone } : {}) })).body as { id: string; phone: string | null };
  }

  /** Starts an authorization request in `browser` and submits the password; returns the next page. */
  async function passwordStep(browser: HttpBrowser, username: string, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: callback(), scope: 'openid profile', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra });
    const login = await browser.go(url.toString(), {}, callback());
    // With a live session the provider may go straight to the next step (or back to the app).
    if (login.startsWith(callback()) || !/action="[^"]*\/login"/.test(login)) return { page: login, verifier };
    const page = await browser.go(new URL(HttpBrowser.formAction(login, /login$/), issuer).toString(), { form: { username, password: 'amber-lantern-42' } }, callback());
    return { page, verifier };
  }

  const post = (browser: HttpBrowser, page: string, form: Record<string, string>, matching?: RegExp) =>
    browser.go(new URL(HttpBrowser.formAction(page, matching), issuer).toString(), { form }, callback());

  async function latestSmsTo(phone: string, after = 0): Promise<string> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const found = aws.sms.slice(after).reverse().find((m) => m.phone === phone);
      if (found) return codeIn(found.message);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no SMS to ${phone}`);
  }

  async function idTokenClaims(landed: string, verifier: string) {
    return (await oidc.authorizationCodeGrant(web, new URL(landed), { pkceCodeVerifier: verifier })).claims()!;
  }

  it('asks for the code sent to the profile phone; only the newest code works; amr says sms', async () => {
    const slug = await tenantWith({ mfa: { mode: 'required' } });
    const user = await userIn(slug, `maria-${slug}`, '+1 415 555 0101');
    const browser = new HttpBrowser();
    const sent = aws.sms.length;
    const { page, verifier } = await passwordStep(browser, `maria-${slug}`);
    expect(page).toMatch(/number ending in 0101/);
    expect(page).toMatch(/name="code" autocomplete="one-time-code"/);
    expect(page).toMatch(/name="action" value="resend"/);
    const first = await latestSmsTo('+14155550101', sent);

    const wrong = await post(browser, page, { code: first === '000000' ? '111111' : '000000' });
    expect(wrong).toMatch(/4 tries left/);
    const tooSoon = await post(browser, wrong, { action: 'resend' });
    expect(tooSoon).toMatch(/Wait \d+ seconds/);

    clockOffsetMs = 31_000;
    const resent = await post(browser, tooSoon, { action: 'resend' });
    expect(resent).toMatch(/We sent a new code/);
    const second = await latestSmsTo('+14155550101', aws.sms.findIndex((m) => codeIn(m.message) === first) + 1);
    expect(second).not.toBe(first);
    expect(await post(browser, resent, { code: first })).toMatch(/3 tries left/);

    const landed = await post(browser, resent, { code: second });
    expect(landed).toMatch(new RegExp(`^${callback()}\\?code=`));
    expect((await idTokenClaims(landed, verifier)).amr).toEqual(['pwd', 'sms']);
    const profile = await adminCall(issuer, operator, 'GET', `/tenants/${slug}/users/${user.id}`);
    expect(profile.body.phone_verified).toBe(true);
  });

  it('remembers the browser for reverify_days, for that user only, until devices are forgotten', async () => {
    const slug = await tenantWith({ mfa: { mode: 'required', reverify_days: 30 } });
    const user = await userIn(slug, `ravi-${slug}`, '+1 415 555 0102');
    await userIn(slug, `sara-${slug}`, '+1 415 555 0103');
    const browser = new HttpBrowser();
    const first = await passwordStep(browser, `ravi-${slug}`);
    await post(browser, first.page, { code: await latestSmsTo('+14155550102') });

    // Same browser, a new sign-in: the password only, and the ID token says so.
    const again = await passwordStep(browser, `ravi-${slug}`, { prompt: 'login' });
    expect(again.page).toMatch(new RegExp(`^${callback()}\\?code=`));
    expect((await idTokenClaims(again.page, again.verifier)).amr).toEqual(['pwd']);

    // The cookie is useless on another account.
    expect((await passwordStep(browser, `sara-${slug}`, { prompt: 'login' })).page).toMatch(/number ending in 0103/);

    // A month later the code is asked again.
    clockOffsetMs = 31 * DAY;
    expect((await passwordStep(browser, `ravi-${slug}`, { prompt: 'login' })).page).toMatch(/number ending in 0102/);
    clockOffsetMs = 0;

    // The administrator forgets the devices: asked again at once.
    expect((await adminCall(issuer, operator, 'DELETE', `/tenants/${slug}/users/${user.id}/devices`)).body.forgotten).toBeGreaterThanOrEqual(1);
    expect((await passwordStep(browser, `ravi-${slug}`, { prompt: 'login' })).page).toMatch(/number ending in 0102/);
  });

  it('after five wrong codes, says so and offers a new code, another way or the way back to the application', async () => {
    const slug = await tenantWith({ mfa: { mode: 'required' } });
    await userIn(slug, `ivan-${slug}`, '+1 415 555 0104');
    const browser = new HttpBrowser();
    let { page } = await passwordStep(browser, `ivan-${slug}`);
    const code = await latestSmsTo('+14155550104');
    const wrongCode = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) page = await post(browser, page, { code: wrongCode });
    const ended = await post(browser, page, { code: wrongCode });
    expect(ended).toMatch(/Too many wrong codes/);
    expect(ended).toMatch(/Send me a new code/);
    // Back to the application: an OAuth error it can act on.
    const back = /href="(\/interaction\/[^"]+\/abort)">Return to the application/.exec(ended)![1]!;
    const answer = new URL(await browser.go(new URL(back, issuer).toString(), {}, callback())).searchParams;
    expect(answer.get('error')).toBe('access_denied');
  });

  it('lets a user without a phone add one at the first sign-in, parsed to E.164 and confirmed by a code', async () => {
    const slug = await tenantWith({ mfa: { mode: 'required' } });
    const user = await userIn(slug, `nora-${slug}`);
    const browser = new HttpBrowser();
    const { page, verifier } = await passwordStep(browser, `nora-${slug}`);
    expect(page).toMatch(/name="phone" autocomplete="tel"/);

    const abroad = await post(browser, page, { phone: '+44 20 7183 8750' });
    expect(abroad).toMatch(/cannot be sent to numbers of that country/);
    const codePage = await post(browser, abroad, { phone: '(415) 555-0105' });
    expect(codePage).toMatch(/number ending in 0105/);
    const landed = await post(browser, codePage, { code: await latestSmsTo('+14155550105') });
    expect((await idTokenClaims(landed, verifier)).amr).toEqual(['pwd', 'sms']);
    const profile = await adminCall(issuer, operator, 'GET', `/tenants/${slug}/users/${user.id}`);
    expect(profile.body).toMatchObject({ phone: '+14155550105', phone_verified: true });
    await aws.waitForEmail(`nora-${slug}@clinic.test`, (e) => e.subject === 'The mobile number of your account changed');
  });

  it('asks existing password-only sessions for the second step when the tenant turns it on, and wants an emailed code before a later phone is added', async () => {
    const slug = await tenantWith({ mfa: { mode: 'off' } });
    await userIn(slug, `omar-${slug}`);
    const browser = new HttpBrowser();
    const off = await passwordStep(browser, `omar-${slug}`);
    expect(off.page).toMatch(new RegExp(`^${callback()}\\?code=`));

    expect((await adminCall(issuer, operator, 'PATCH', `/tenants/${slug}`, { settings: { mfa: { mode: 'required' } } })).status).toBe(200);
    // Same browser session, no password asked: the second step is.
    const gate = (await passwordStep(browser, `omar-${slug}`)).page;
    expect(gate).toMatch(/Confirm it is you/);
    const emailed = await aws.waitForEmail(`omar-${slug}@clinic.test`, (e) => e.subject === 'Your code to change your mobile number');
    const phonePage = await post(browser, gate, { code: codeIn(emailed.text) });
    expect(phonePage).toMatch(/name="phone" autocomplete="tel"/);
    const codePage = await post(browser, phonePage, { phone: '+14155550106' });
    const landed = await post(browser, codePage, { code: await latestSmsTo('+14155550106') });
    expect(landed).toMatch(new RegExp(`^${callback()}\\?code=`));
  });

  it('under optional, asks users with a phone and warns users without one, who may continue', async () => {
    const slug = await tenantWith({ mfa: { mode: 'optional' } });
    await userIn(slug, `pia-${slug}`);
    await userIn(slug, `quin-${slug}`, '+1 415 555 0107');
    const browser = new HttpBrowser();
    const warning = (await passwordStep(browser, `pia-${slug}`)).page;
    expect(warning).toMatch(/Protect your account/);
    expect(warning).toMatch(/Add a mobile number now/);
    expect(await post(browser, warning, {}, /continue$/)).toMatch(new RegExp(`^${callback()}\\?code=`));
    expect((await passwordStep(new HttpBrowser(), `quin-${slug}`)).page).toMatch(/number ending in 0107/);
  });

  it('confirms a number changed by an administrator with a code before trusting it, and tells the user', async () => {
    const slug = await tenantWith({ mfa: { mode: 'required' } });
    const user = await userIn(slug, `uma-${slug}`, '+1 415 555 0108');
    const browser = new HttpBrowser();
    const first = await passwordStep(browser, `uma-${slug}`);
    await post(browser, first.page, { code: await latestSmsTo('+14155550108') });

    const changed = await adminCall(issuer, operator, 'PATCH', `/tenants/${slug}/users/${user.id}`, { phone: '415-555-0109' });
    expect(changed.body).toMatchObject({ phone: '+14155550109', phone_verified: false });
    await aws.waitForEmail(`uma-${slug}@clinic.test`, (e) => e.subject === 'The mobile number of your account changed' && e.text.includes('0109'));
    const next = await passwordStep(browser, `uma-${slug}`, { prompt: 'login' });
    expect(next.page).toMatch(/number ending in 0109/);
    await post(browser, next.page, { code: await latestSmsTo('+14155550109') });
    expect((await adminCall(issuer, operator, 'GET', `/tenants/${slug}/users/${user.id}`)).body.phone_verified).toBe(true);
  });

  it("stops at the tenant's monthly budget, says so, records it, and alerts administrators at 80%", async () => {
    const slug = await tenantWith({ mfa: { mode: 'required' }, sms: { monthly_budget: 1 } });
    await userIn(slug, `boss-${slug}`, undefined, 'admin');
    await userIn(slug, `vic-${slug}`, '+1 415 555 0110');
    await passwordStep(new HttpBrowser(), `vic-${slug}`);
    await latestSmsTo('+14155550110');
    await aws.waitForEmail(`boss-${slug}@clinic.test`, (e) => /1 of its 1/.test(e.text));

    const sentBefore = aws.sms.length;
    const refused = (await passwordStep(new HttpBrowser(), `vic-${slug}`)).page;
    expect(refused).toMatch(/text-message budget for this month is used up/);
    expect(aws.sms.length).toBe(sentBefore);
    const usage = await adminCall(issuer, operator, 'GET', `/tenants/${slug}/sms-usage`);
    expect(usage.body).toMatchObject({ sent: 1, budget: 1, remaining: 0 });
    expect(usage.body.month).toMatch(/^\d{4}-\d{2}$/);
    await server.gatehouse.events.flush();
    expect(await server.gatehouse.database.knex('events').where({ type: 'mfa.budget_exhausted' }).first()).toBeDefined();
  });

  it('stops SMS pumping: at most five codes an hour to one number', async () => {
    const slug = await tenantWith({ mfa: { mode: 'required' } });
    await userIn(slug, `walt-${slug}`, '+1 415 555 0111');
    for (let i = 0; i < 5; i++) expect((await passwordStep(new HttpBrowser(), `walt-${slug}`)).page).toMatch(/number ending in 0111/);
    expect((await passwordStep(new HttpBrowser(), `walt-${slug}`)).page).toMatch(/Too many codes were sent/);
  });

  it('never lets a password reset skip the second factor, and a reset forgets remembered browsers', async () => {
    const slug = await tenantWith({ mfa: { mode: 'required' } });
    await userIn(slug, `xena-${slug}`, '+1 415 555 0112');
    const browser = new HttpBrowser();
    // This browser passes the SMS step and is remembered...
    const first = await passwordStep(browser, `xena-${slug}`);
    await post(browser, first.page, { code: await latestSmsTo('+14155550112') });
    expect((await passwordStep(browser, `xena-${slug}`, { prompt: 'login' })).page).toMatch(new RegExp(`^${callback()}\\?code=`));
    // ...until the password is reset through it.
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: callback(), scope: 'openid', prompt: 'login', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const login = await browser.go(url.toString());
    const forgot = await browser.go(new URL(/href="([^"]*forgot-password)"/.exec(login)![1]!, issuer).toString());
    const codePage = await post(browser, forgot, { username: `xena-${slug}` });
    const email = await aws.waitForEmail(`xena-${slug}@clinic.test`, (e) => e.subject === 'Your password reset code');
    const done = await post(browser, codePage, { code: codeIn(email.text), new_password: 'violet-harbour-77', confirm_password: 'violet-harbour-77' }, /forgot-password\/[0-9a-f-]+$/);
    // The reset signed this browser's session out too, so the page says what to do next.
    expect(done).toMatch(/Your password was changed/);
    const again = await browser.go(url.toString(), {}, callback());
    const next = await browser.go(new URL(HttpBrowser.formAction(again, /login$/), issuer).toString(), { form: { username: `xena-${slug}`, password: 'violet-harbour-77' } }, callback());
    expect(next).toMatch(/number ending in 0112/);
  });

  it('after a reset inside a sign-in, continues to the SMS step instead of skipping it', async () => {
    const slug = await tenantWith({ mfa: { mode: 'required' } });
    await userIn(slug, `yuri-${slug}`, '+1 415 555 0113');
    const browser = new HttpBrowser();
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: callback(), scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const login = await browser.go(url.toString());
    const forgot = await browser.go(new URL(/href="([^"]*forgot-password)"/.exec(login)![1]!, issuer).toString());
    const codePage = await post(browser, forgot, { username: `yuri-${slug}` });
    const email = await aws.waitForEmail(`yuri-${slug}@clinic.test`, (e) => e.subject === 'Your password reset code');
    const next = await post(browser, codePage, { code: codeIn(email.text), new_password: 'violet-harbour-78', confirm_password: 'violet-harbour-78' }, /forgot-password\/[0-9a-f-]+$/);
    expect(next).toMatch(/number ending in 0113/);
    expect(await post(browser, next, { code: await latestSmsTo('+14155550113') })).toMatch(new RegExp(`^${callback()}\\?code=`));
  });
});
