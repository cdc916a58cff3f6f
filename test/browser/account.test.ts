import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { accessibilityViolations } from '../helpers/accessibility.js';
import { AwsRecorder, codeIn } from '../helpers/aws-recorder.js';
import { chromiumAvailable, launchChromium, pageWithAuthenticator } from '../helpers/chromium.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';
import { totpCodeAt } from '../../src/domain/second-factor/totp/totp.js';

const PASSWORD = 'amber-lantern-42';

(chromiumAvailable() || process.env.CI ? describe : describe.skip)('the account page in a real browser', () => {
  const aws = new AwsRecorder();
  let server: TestGatehouse;
  let browser: Browser;
  let page: Page;
  let userId: string;

  beforeAll(async () => {
    const env = aws.useForAws(await aws.start());
    [server, browser] = await Promise.all([startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, ...env } }), launchChromium()]);
    const operator = await operatorToken(server.issuer);
    await adminCall(server.issuer, operator, 'POST', '/tenants', { slug: 'acme', name: 'Acme Clinic', settings: { country: 'US', mfa: { mode: 'off' } } });
    const created = await adminCall(server.issuer, operator, 'POST', '/tenants/acme/users', { username: 'ada', email: 'ada@acme.test', password: PASSWORD, phone: '+14155550170' });
    userId = created.body.id;
    // An authenticator app set up earlier (its secret is never read here: it is listed, named and removed).
    await server.gatehouse.database.knex('user_factors').insert({ user_id: userId, kind: 'totp', name: 'Authenticator app', secret_sealed: 'unused', confirmed_at: new Date(Date.now() - 86_400_000) });
    page = await (await browser.newContext()).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await aws.stop();
  });

  const latestSms = () => codeIn(aws.sms.at(-1)!.message);
  const alert = () => page.getByRole('alert').textContent();
  const status = () => page.getByRole('status').textContent();
  async function expectAccessible() {
    await expect(accessibilityViolations(page)).resolves.toEqual([]);
  }

  it('signs in through Gatehouse itself and keeps only an httpOnly session cookie', async () => {
    await page.goto(`${server.issuer}/account`);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.issuer}/account`);
    await expect(page.getByRole('heading', { name: 'Your account' }).count()).resolves.toBe(1);
    const cookies = await page.context().cookies(`${server.issuer}/account`);
    const session = cookies.find((c) => c.name === 'gh_account_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.expires * 1000 - Date.now()).toBeLessThanOrEqual(15 * 60_000 + 5_000);
    await expectAccessible();
  });

  it('changes the mobile number once the texted code comes back', async () => {
    await page.goto(`${server.issuer}/account/phone`);
    await expectAccessible();
    await page.getByLabel('New mobile number').fill('(415) 555-0171');
    await page.getByRole('button', { name: 'Text me a code' }).click();
    await expect(page.getByText('number ending in 0171').count()).resolves.toBe(1);
    await expectAccessible();
    expect(aws.sms.at(-1)!.phone).toBe('+14155550171');
    await page.getByLabel('Code from the text message').fill(latestSms() === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Confirm the new number' }).click();
    await expect(alert()).resolves.toMatch(/not right\. 4 tries left/);
    await page.getByLabel('Code from the text message').fill(latestSms());
    await page.getByRole('button', { name: 'Confirm the new number' }).click();
    await expect(status()).resolves.toMatch(/mobile number was changed/);
    expect((await server.gatehouse.database.knex('users').where({ id: userId }).first()).phone).toBe('+14155550171');
  });

  it('lists, names and removes methods, removal only after a fresh code of another method', async () => {
    await page.goto(`${server.issuer}/account/methods`);
    await expectAccessible();
    await expect(page.getByRole('heading', { name: 'Text message' }).count()).resolves.toBe(1);
    await page.getByLabel('Name of “Authenticator app”').fill('Work phone app');
    await page.getByRole('button', { name: 'Save the name of “Authenticator app”' }).click();
    await expect(status()).resolves.toMatch(/name was saved/);
    await expect(page.getByRole('heading', { name: 'Work phone app' }).count()).resolves.toBe(1);

    // No fresh second factor: refused.
    await page.getByRole('button', { name: 'Remove “Work phone app”' }).click();
    await expect(alert()).resolves.toMatch(/first confirm it is you/);
    await expect(page.getByRole('heading', { name: 'Work phone app' }).count()).resolves.toBe(1);

    await page.goto(`${server.issuer}/account/confirm`);
    await expectAccessible();
    await page.getByRole('button', { name: 'A code texted to your phone' }).click();
    await expectAccessible();
    await page.getByLabel('A code texted to your phone').fill(latestSms());
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expect(status()).resolves.toMatch(/next 5 minutes/);

    // A code of the phone cannot vouch for removing the phone itself.
    await page.getByRole('button', { name: 'Remove “Text message”' }).click();
    await expect(alert()).resolves.toMatch(/first confirm it is you/);

    await page.getByRole('button', { name: 'Remove “Work phone app”' }).click();
    await expect(status()).resolves.toMatch(/method was removed/);
    await expect(page.getByRole('heading', { name: 'Work phone app' }).count()).resolves.toBe(0);
    await server.gatehouse.events.flush();
    const removed = await server.gatehouse.database.knex('events').where({ user_id: userId, type: 'account.method_removed' });
    expect(removed).toHaveLength(1);
  });

  it('adds an authenticator app behind the fresh second factor: secret and QR shown, a pasted code with spaces confirms it, recovery codes shown once', async () => {
    // The SMS confirmation of the previous test is still fresh (5 minutes).
    await page.goto(`${server.issuer}/account/methods`);
    await page.getByRole('button', { name: 'Add an authenticator app' }).click();
    await expect(page.getByRole('heading', { name: 'Add an authenticator app' }).count()).resolves.toBe(1);
    await expectAccessible();
    await expect(page.locator('a[href^="otpauth://totp/"]').count()).resolves.toBe(1);
    const secret = (await page.locator('#secret-text code').textContent())!.replace(/\s/g, '');
    await expect(page.locator('#code').getAttribute('inputmode')).resolves.toBe('numeric');
    await expect(page.locator('#code').getAttribute('autocomplete')).resolves.toBe('one-time-code');
    // A wrong code first: the field is marked, described by the error, and keeps what was typed.
    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(alert()).resolves.toMatch(/not right\. 4 tries left/);
    await expect(page.locator('#code').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#code').getAttribute('aria-describedby')).resolves.toContain('form-error');
    await expect(page.locator('#code').inputValue()).resolves.toBe('000000');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('code');
    const code = totpCodeAt(secret, new Date());
    await page.getByLabel('Code from the app').fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByRole('heading', { name: 'Your new recovery codes' }).count()).resolves.toBe(1);
    await expect(page.locator('ul.codes li').count()).resolves.toBe(10);
    await expectAccessible();
    await page.getByRole('link', { name: /I have kept them/ }).click();
    await expect(status()).resolves.toMatch(/method was added/);
    await server.gatehouse.events.flush();
    const enrolled = await server.gatehouse.database.knex('events').where({ user_id: userId, type: 'mfa.method_enrolled' });
    expect(enrolled.map((e) => e.details.method)).toEqual(['totp']);
    // New recovery codes from the page replace the set: the old codes stop working.
    await page.getByRole('button', { name: 'Make new recovery codes' }).click();
    await expect(page.locator('ul.codes li').count()).resolves.toBe(10);
  });

  it('adds a passkey from a browser that has an authenticator (still behind the fresh second factor)', async () => {
    const { page: withKey } = await pageWithAuthenticator(browser, await page.context().storageState());
    await withKey.goto(`${server.issuer}/account/methods`);
    await withKey.getByRole('button', { name: 'Add a passkey' }).click();
    await withKey.getByRole('button', { name: 'Create a passkey' }).click();
    await withKey.waitForURL((url) => url.searchParams.get('done') === 'method-added');
    await expect(withKey.getByRole('status').textContent()).resolves.toMatch(/method was added/);
    await server.gatehouse.events.flush();
    const enrolled = await server.gatehouse.database.knex('events').where({ user_id: userId, type: 'mfa.method_enrolled' }).orderBy('at');
    expect(enrolled.at(-1)!.details.method).toBe('passkey');
    const [passkeys] = await server.gatehouse.database.knex('user_factors').where({ user_id: userId, kind: 'passkey' }).whereNotNull('confirmed_at').count<{ count: string | number }[]>('* as count');
    expect(Number(passkeys!.count)).toBe(1);
    await withKey.context().close();
  });

  it('says a passkey needs JavaScript when it is off, and every add form carries the form token', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
    const noScript = await context.newPage();
    await noScript.goto(`${server.issuer}/account/methods`);
    for (const form of await noScript.locator('form[action="/account/methods/add"]').all()) await expect(form.locator('input[name="csrf"]').inputValue()).resolves.toMatch(/.{16,}/);
    await noScript.getByRole('button', { name: 'Add a passkey' }).click();
    await expect(noScript.locator('main').textContent()).resolves.toContain('Creating a passkey needs JavaScript');
    await context.close();
  });

  it('reads in the saved language of the person, and the switcher choice goes before it', async () => {
    const knex = server.gatehouse.database.knex;
    await knex('users').where({ id: userId }).update({ locale: 'de-DE' });
    try {
      await page.goto(`${server.issuer}/account/activity`);
      await expect(page.locator('h1').textContent()).resolves.toBe('Letzte Anmeldeaktivität');
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('de');
      await page.getByRole('navigation', { name: 'Sprache' }).getByRole('link', { name: 'Français' }).click();
      await page.waitForURL(`${server.issuer}/account/activity`);
      await expect(page.locator('h1').textContent()).resolves.toBe('Activité de connexion récente');
      await page.getByRole('navigation', { name: 'Langue' }).getByRole('link', { name: 'English' }).click();
      await expect(page.locator('h1').textContent()).resolves.toBe('Recent sign-in activity');
    } finally {
      await knex('users').where({ id: userId }).update({ locale: null });
    }
  });

  it('signs one app out: its refresh token then fails', async () => {
    const mobile = await discoverClient(server.issuer, DEMO.mobile.clientId);
    const { tokens } = await signInWithCode(mobile, { username: 'ada', password: PASSWORD, redirectUri: `${server.issuer}${DEMO.callbackPath}` });
    expect(tokens.refresh_token).toBeTruthy();
    await page.goto(`${server.issuer}/account/apps`);
    await expectAccessible();
    await expect(page.getByText(/Last used just now/).count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Sign out of Demo mobile app' }).click();
    await expect(status()).resolves.toMatch(/app was signed out/);
    await expect(page.getByRole('heading', { name: 'Demo mobile app' }).count()).resolves.toBe(0);
    await expect(oidc.refreshTokenGrant(mobile, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/account page/) });
  });

  it('shows a failed sign-in in the recent activity', async () => {
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    await expect(signInWithCode(web, { username: 'ada', password: 'not-the-password', redirectUri: `${server.issuer}${DEMO.callbackPath}` })).rejects.toThrow();
    // The failed attempt is recorded in the background (after the answer): wait for its row.
    const knex = server.gatehouse.database.knex;
    for (let i = 0; i < 50 && !(await knex('events').where({ user_id: userId, type: 'login.failed' }).first()); i++) {
      await server.gatehouse.events.flush();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await page.goto(`${server.issuer}/account/activity`);
    await expectAccessible();
    const items = await page.getByRole('listitem').allTextContents();
    expect(items.some((text) => /Failed sign-in\s+to Demo web app/.test(text) && /wrong password/.test(text))).toBe(true);
    expect(items.some((text) => /Signed in/.test(text))).toBe(true);
  });

  it('refuses a form posted from another site, and one without the session token', async () => {
    const crossSite = await fetch(`${server.issuer}/account/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: 'current_password=x&new_password=y&confirm_password=y',
    });
    expect(crossSite.status).toBe(403);
    await expect(crossSite.text()).resolves.toMatch(/sent from another site/);
    // From the page itself but without the form token (a forged form would not know it).
    const tokenless = await page.evaluate(async () => {
      const response = await fetch('/account/password', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'current_password=x&new_password=y&confirm_password=y' });
      return { status: response.status, text: await response.text() };
    });
    expect(tokenless.status).toBe(403);
    expect(tokenless.text).toMatch(/form has expired/);
  });

  it('changes the password: the current one is required, other sessions are signed out, this one stays', async () => {
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    const { tokens } = await signInWithCode(web, { username: 'ada', password: PASSWORD, redirectUri: `${server.issuer}${DEMO.callbackPath}` });
    await page.goto(`${server.issuer}/account/password`);
    await expectAccessible();
    await page.getByLabel('Current password').fill('wrong-password-1');
    await page.getByLabel('New password', { exact: true }).fill('copper-kettle-77');
    await page.getByLabel('Repeat the new password').fill('copper-kettle-77');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(alert()).resolves.toMatch(/current password is not right/);
    await expectAccessible();
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('copper-kettle-77');
    await page.getByLabel('Repeat the new password').fill('copper-kettle-77');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(status()).resolves.toMatch(/password was changed/);
    await expect(page.getByRole('heading', { name: 'Your account' }).count()).resolves.toBe(1);
    await expect(oidc.refreshTokenGrant(web, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/password was changed/) });
    await expect(aws.waitForEmail('ada@acme.test', (e) => /password/i.test(e.subject))).resolves.toBeTruthy();
  });
});
