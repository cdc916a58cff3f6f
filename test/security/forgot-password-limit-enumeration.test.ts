import { HttpBrowser } from '../helpers/browserless.js';
import { SignInHarness } from '../helpers/sign-in-harness.js';
import { CLOCK } from '../helpers/clock-pattern.js';

/**
 * Attack: telling real usernames from unknown ones by the hourly limit of reset codes (counted
 * per account, only real usernames ever hit it). Counted per username typed, the page tells
 * anyone the same truth: at most 5 codes an hour, and when the next can be asked for.
 */
describe('the hourly limit of reset codes for a real and an unknown username', () => {
  const h = new SignInHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  async function ask(username: string): Promise<{ status: number; page: string }> {
    const browser = new HttpBrowser();
    const start = await browser.go(`${h.issuer}/forgot-password`);
    const page = await browser.go(new URL(HttpBrowser.formAction(start), h.issuer).toString(), { form: { username } });
    return { status: browser.lastStatus, page: page.replaceAll(username, 'USERNAME').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'FLOW') };
  }

  it('is reached after the same five requests, with the same page and the same "ask again at"', async () => {
    const slug = await h.tenant({});
    await h.user(slug, `real-${slug}`);
    const real: { status: number; page: string }[] = [];
    const unknown: { status: number; page: string }[] = [];
    for (let i = 0; i < 6; i++) {
      real.push(await ask(`real-${slug}`));
      unknown.push(await ask(`nobody-${slug}`));
    }
    expect(real.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(unknown.map((r) => r.status)).toEqual(real.map((r) => r.status));
    expect(unknown.map((r) => r.page)).toEqual(real.map((r) => r.page));
    expect(real[5]!.page).toMatch(new RegExp(String.raw`At most 5 reset codes an hour are sent for a username\. You can ask again at ${CLOCK}\.`));
    // Case and spaces do not make another username.
    expect((await ask(`REAL-${slug.toUpperCase()}`)).status).toBe(429);
    expect(h.aws.emailsTo(`real-${slug}@clinic.test`).length).toBeLessThanOrEqual(5);
  });
});
