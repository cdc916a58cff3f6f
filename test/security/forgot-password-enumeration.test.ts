import { HttpBrowser } from '../helpers/browserless.js';
import { SignInHarness } from '../helpers/sign-in-harness.js';

/**
 * Attack: telling real usernames from unknown ones by the bytes of the forgot-password pages (a
 * tenant's own password rule showed only for real users).
 */
describe('forgot-password pages for a real and an unknown username', () => {
  const h = new SignInHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  async function codePageFor(username: string): Promise<string> {
    const browser = new HttpBrowser();
    const start = await browser.go(`${h.issuer}/forgot-password`);
    const page = await browser.go(new URL(HttpBrowser.formAction(start), h.issuer).toString(), { form: { username } });
    // The flow's own id is in the page, and the name as typed (for password managers); nothing else may differ.
    return page.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'FLOW').replaceAll(`value="${username}"`, 'value="TYPED"');
  }

  it('are the same bytes, even when the tenant asks for longer passwords', async () => {
    const slug = await h.tenant({ password: { min_length: 12 } });
    await h.user(slug, `real-${slug}`, { password: 'a-long-enough-password-12' });
    const real = await codePageFor(`real-${slug}`);
    const unknown = await codePageFor(`nobody-${slug}`);
    expect(real).toBe(unknown);
    expect(real).toMatch(/name="code"/);
    expect(real).toMatch(/value="TYPED"/);
    // The name is repeated as typed, never looked up: another spelling of a real name reads the same.
    expect(await codePageFor(`REAL-${slug.toUpperCase()}`)).toBe(unknown);
  });
});
