import { HttpBrowser } from '../helpers/browserless.js';
import { SignInHarness } from '../helpers/sign-in-harness.js';

/**
 * Attack: whoever holds a user's initial password tries to enrol their own number at the first
 * sign-in instead of receiving the code on the number the administrator set. No query flag or
 * form may choose a step: the flow decides, and it asks for the administrator's number.
 */
describe('enrolling another phone at the first sign-in when the administrator set one', () => {
  const h = new SignInHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('keeps asking for the code sent to the administrator-set number, whatever is requested', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required' } });
    await h.user(slug, `newcomer-${slug}`, { phone: '+1 415 555 0180' });
    const browser = new HttpBrowser();
    const page = await h.passwordStep(browser, `newcomer-${slug}`);
    expect(page).toMatch(/number ending in 0180/);
    const uid = /\/interaction\/([^/"]+)\/second-factor/.exec(page)![1]!;
    const attackerPhone = '+14155550999';

    // The old query flags no longer choose anything.
    expect(await browser.go(`${h.issuer}/interaction/${uid}?add=1`)).toMatch(/number ending in 0180/);
    expect(await browser.go(`${h.issuer}/interaction/${uid}?add=1&step=enroll`)).not.toMatch(/name="phone"/);
    // Posting a number, or the warning's "add a phone", is refused by the state the flow is in.
    const posted = await h.inParallel(browser, `/interaction/${uid}/second-factor/phone`, [{ phone: attackerPhone }]);
    const chose = await h.inParallel(browser, `/interaction/${uid}/second-factor/add-phone`, [{}]);
    const stepped = await h.inParallel(browser, `/interaction/${uid}/second-factor?step=enroll`, [{ code: '123456' }]);
    for (const answer of [...posted, ...chose, ...stepped]) expect(answer.status).toBeLessThan(500);
    expect(h.aws.sms.filter((m) => m.phone === attackerPhone)).toEqual([]);
    expect(await browser.go(`${h.issuer}/interaction/${uid}`)).toMatch(/number ending in 0180/);

    // Only the administrator's number's code completes the sign-in, and amr says sms.
    const landed = await h.post(browser, page, { code: await h.latestSmsTo('+14155550180') });
    expect(landed).toMatch(new RegExp(`^${h.callback}\\?code=`));
  });
});
