import { HttpBrowser } from '../helpers/browserless.js';
import { SignInHarness, wrongCodes } from '../helpers/sign-in-harness.js';

/**
 * Attack: a thief with the password guesses SMS codes from a browser that signed in as the user
 * before (or that became "known" after the password step). The second-factor lock spares no
 * browser: whoever reaches the code step already had the password.
 */
describe('the second-factor lockout', () => {
  const h = new SignInHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('holds a browser that signed in as the user before', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required' } });
    const user = await h.user(slug, `held-${slug}`, { phone: '+1 415 555 0181' });
    const browser = new HttpBrowser();
    const first = await h.passwordStep(browser, `held-${slug}`);
    expect(await h.post(browser, first, { code: await h.latestSmsTo('+14155550181') })).toMatch(new RegExp(`^${h.callback}\\?code=`));
    // A new number: this browser is still known, but must pass the SMS step again.
    expect((await h.admin('PATCH', `/tenants/${slug}/users/${user.id}`, { phone: '+1 415 555 0182' })).status).toBe(200);

    for (let round = 0; round < 5; round++) {
      let page = await h.passwordStep(browser, `held-${slug}`, undefined, { prompt: 'login' });
      expect(page).toMatch(/number ending in 0182/);
      const code = await h.latestSmsTo('+14155550182', h.aws.sms.length - 1);
      for (const guess of wrongCodes(code, 5)) page = await h.post(browser, page, { code: guess });
    }
    const locked = await h.passwordStep(browser, `held-${slug}`, undefined, { prompt: 'login' });
    expect(locked).toMatch(/temporarily locked/);
  });
});
