import { HttpBrowser } from '../helpers/browserless.js';
import { SignInHarness } from '../helpers/sign-in-harness.js';

/**
 * A fresh sign-in before a destructive action asks for the password; a browser remembered for
 * the second factor skips that step. The console then asks for a code itself before the action.
 */
describe('the console asks for a second factor before a destructive action when the fresh sign-in skipped it', () => {
  const h = new SignInHarness();
  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.stop();
  });

  async function post(browser: HttpBrowser, path: string, form: Record<string, string>): Promise<{ status: number; text: string; location: string | null }> {
    const response = await fetch(`${h.issuer}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: new URLSearchParams(form).toString() });
    return { status: response.status, text: await response.text(), location: response.headers.get('location') };
  }
  const login = (browser: HttpBrowser, page: string, username: string) => browser.go(new URL(HttpBrowser.formAction(page, /login$/), h.issuer).toString(), { form: { username, password: 'amber-lantern-42' } });

  it('refuses the action until a code is confirmed, then lets it through', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required' } });
    await h.user(slug, `ada-${slug}`, { role: 'admin', phone: '+1 415 555 0102' });
    const member = await h.user(slug, `max-${slug}`);
    const browser = new HttpBrowser();

    // Signing in: password and the texted code; the browser is remembered.
    let sent = h.aws.sms.length;
    const codePage = await login(browser, await browser.go(`${h.issuer}/console`), `ada-${slug}`);
    const code = await h.latestSmsTo('+14155550102', sent);
    const landed = await browser.go(new URL(HttpBrowser.formAction(codePage), h.issuer).toString(), { form: { code } });
    expect(browser.lastUrl).toBe(`${h.issuer}/console/users`);
    const csrf = HttpBrowser.hiddenInputs(landed).csrf!;

    // The fresh sign-in asks for the password only (the browser is remembered): amr is pwd alone.
    const userPath = `/console/users/${member.id}`;
    const again = await browser.go(`${h.issuer}/console/reauthenticate?return=${encodeURIComponent(userPath)}`);
    await login(browser, again, `ada-${slug}`);
    expect(browser.lastUrl).toBe(`${h.issuer}${userPath}?done=reauthenticated`);

    const refused = await post(browser, `${userPath}/sign-out`, { csrf });
    expect(refused.status).toBe(403);
    expect(refused.text).toMatch(/confirm it is you with your second factor/);
    await h.server.gatehouse.events.flush();
    expect(await h.server.gatehouse.database.knex('events').where({ user_id: member.id, type: 'admin.user_signed_out' })).toHaveLength(0);

    // Confirming with a texted code, on the console's page, then the action goes through.
    const confirm = await browser.go(`${h.issuer}/console/confirm?return=${encodeURIComponent(userPath)}`);
    expect(confirm).toMatch(/A code texted to your phone/);
    sent = h.aws.sms.length;
    expect((await post(browser, '/console/confirm/start', { csrf, method: 'sms' })).status).toBe(303);
    const confirmCode = await h.latestSmsTo('+14155550102', sent);
    const wrong = await post(browser, '/console/confirm', { csrf, code: confirmCode === '000000' ? '111111' : '000000' });
    expect(wrong.text).toMatch(/4 tries left/);
    const confirmed = await post(browser, '/console/confirm', { csrf, code: confirmCode });
    expect(confirmed.location).toBe(`${userPath}?done=confirmed`);

    const done = await post(browser, `${userPath}/sign-out`, { csrf });
    expect(done.status).toBe(200);
    await h.server.gatehouse.events.flush();
    expect(await h.server.gatehouse.database.knex('events').where({ user_id: member.id, type: 'admin.user_signed_out' })).toHaveLength(1);
  });
});
