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
    const page = /Use an authenticator app instead/.test(signedIn.page) ? await h.post(browser, signedIn.page, {}, /second-factor\/totp$/) : signedIn.page;
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
    await h.aws.waitForEmail(`${username}@clinic.test`, (e) => e.subject === 'A recovery code was used to sign in' && /9 unused recovery codes/.test(e.text));

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
});
