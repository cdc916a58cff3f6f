import { HttpBrowser } from '../helpers/browserless.js';
import { SignInHarness } from '../helpers/sign-in-harness.js';

/** Attack: a code of an older reset still works after a newer one was asked for, or after a reset finished. */
describe('one open password reset per account', () => {
  const h = new SignInHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  async function requestReset(username: string) {
    const browser = new HttpBrowser();
    const start = await browser.go(`${h.issuer}/forgot-password`);
    const sent = h.aws.emails.length;
    const codePage = await browser.go(new URL(HttpBrowser.formAction(start), h.issuer).toString(), { form: { username } });
    const email = await h.aws.waitForEmail(`${username}@clinic.test`, (e) => h.aws.emails.indexOf(e) >= sent);
    return { browser, codePage, code: /\b(\d{6})\b/.exec(email.text)![1]! };
  }
  const submit = (browser: HttpBrowser, codePage: string, code: string, password: string) =>
    h.post(browser, codePage, { code, new_password: password, confirm_password: password }, /forgot-password\/[0-9a-f-]+$/);

  it("closes the older flow as soon as a newer one starts, and every other flow when a reset finishes", async () => {
    const slug = await h.tenant({});
    await h.user(slug, `twice-${slug}`);
    const older = await requestReset(`twice-${slug}`);
    const newer = await requestReset(`twice-${slug}`);

    const stale = await submit(older.browser, older.codePage, older.code, 'violet-harbour-71');
    expect(stale).toMatch(/expired or was already used/);
    expect(await submit(newer.browser, newer.codePage, newer.code, 'violet-harbour-72')).toMatch(/Your password was changed/);
    expect(await submit(older.browser, older.codePage, older.code, 'violet-harbour-73')).toMatch(/expired or was already used/);
  });
});
