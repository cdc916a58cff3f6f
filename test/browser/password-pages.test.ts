import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { accessibilityViolations } from '../helpers/accessibility.js';
import { AwsRecorder, codeIn } from '../helpers/aws-recorder.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/** " 123 456" and "123-456": codes as people paste them. */
const spaced = (code: string) => ` ${code.slice(0, 3)} ${code.slice(3)} `;
const dashed = (code: string) => `${code.slice(0, 3)}-${code.slice(3)}`;

(chromiumAvailable() || process.env.CI ? describe : describe.skip)('password and code pages with password managers and screen readers', () => {
  const aws = new AwsRecorder();
  let server: TestGatehouse;
  let browser: Browser;
  let web: oidc.Configuration;
  let operator: string;

  beforeAll(async () => {
    const env = aws.useForAws(await aws.start());
    [server, browser] = await Promise.all([startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, ...env } }), launchChromium()]);
    operator = await operatorToken(server.issuer);
    await adminCall(server.issuer, operator, 'POST', '/tenants', { slug: 'field', name: 'Field Services', settings: { country: 'US', mfa: { mode: 'required' } } });
    await adminCall(server.issuer, operator, 'POST', '/tenants/field/users', { username: 'paula', email: 'paula@field.test', password: 'amber-lantern-42', phone: '+14155550171' });
    web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await aws.stop();
  });

  async function authorize(page: Page): Promise<void> {
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    await page.goto(url.toString());
  }

  /** The focused element's id, its aria-invalid and the ids it is described by. */
  const focused = (page: Page) =>
    page.evaluate(() => {
      const element = document.activeElement as HTMLElement;
      return { id: element.id, invalid: element.getAttribute('aria-invalid'), describedBy: (element.getAttribute('aria-describedby') ?? '').split(' ') };
    });

  it('login: the toggle shows and hides the password; a refused password keeps the username and marks the password field', async () => {
    const page = await browser.newPage();
    await authorize(page);
    const password = page.getByLabel('Password', { exact: true });
    const toggle = page.getByRole('button', { name: 'Show password' });
    await password.fill('not-the-password');
    await expect(password.getAttribute('type')).resolves.toBe('password');
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('false');
    await toggle.click();
    await expect(password.getAttribute('type')).resolves.toBe('text');
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('true');
    await toggle.click();
    await expect(password.getAttribute('type')).resolves.toBe('password');
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('false');
    await expect(accessibilityViolations(page)).resolves.toEqual([]);

    await page.getByLabel('Username').fill('paula');
    await toggle.click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toMatch(/not right|incorrect|wrong/i);
    await expect(page.getByLabel('Username').inputValue()).resolves.toBe('paula');
    await expect(password.inputValue()).resolves.toBe('');
    await expect(focused(page)).resolves.toEqual({ id: 'password', invalid: 'true', describedBy: ['form-error'] });
    await expect(accessibilityViolations(page)).resolves.toEqual([]);
    await page.close();
  });

  it('without JavaScript the password field stays as it is, with no toggle', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await authorize(page);
    await expect(page.getByLabel('Password', { exact: true }).getAttribute('type')).resolves.toBe('password');
    await expect(page.getByRole('button', { name: 'Show password' }).count()).resolves.toBe(0);
    await context.close();
  });

  it('forgot password: the username for password managers, a refused new password keeps the code, a pasted code with spaces or dashes works', async () => {
    const page = await browser.newPage();
    await authorize(page);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Username').fill('alice');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    const code = codeIn((await aws.waitForEmail('alice@demo.gatehouse.localhost')).text);

    // The account's name, present for password managers, read-only.
    const username = page.getByLabel('Username');
    await expect(username.getAttribute('autocomplete')).resolves.toBe('username');
    await expect(username.inputValue()).resolves.toBe('alice');
    await expect(username.getAttribute('readonly')).resolves.toBe('');
    await expect(page.getByLabel('New password', { exact: true }).getAttribute('autocomplete')).resolves.toBe('new-password');
    await expect(page.getByLabel('Repeat the new password').getAttribute('autocomplete')).resolves.toBe('new-password');
    const codeField = page.getByLabel('Code from the email');
    await expect(codeField.getAttribute('maxlength')).resolves.toBeNull();
    await expect(codeField.getAttribute('inputmode')).resolves.toBe('numeric');
    await expect(codeField.getAttribute('autocomplete')).resolves.toBe('one-time-code');
    await expect(page.getByRole('button', { name: 'Show password' }).count()).resolves.toBe(2);
    await expect(accessibilityViolations(page)).resolves.toEqual([]);

    // The right code, pasted with spaces, and a password the rules refuse.
    await codeField.fill(spaced(code));
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the new password').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/stronger|password/i);
    await expect(codeField.inputValue()).resolves.toBe(spaced(code).trim());
    await expect(page.getByLabel('New password', { exact: true }).inputValue()).resolves.toBe('');
    await expect(page.getByLabel('Repeat the new password').inputValue()).resolves.toBe('');
    await expect(focused(page)).resolves.toEqual({ id: 'new_password', invalid: 'true', describedBy: ['form-error', 'password-hint'] });
    await expect(codeField.getAttribute('aria-invalid')).resolves.toBeNull();
    await expect(page.getByLabel('Username').inputValue()).resolves.toBe('alice');
    await expect(accessibilityViolations(page)).resolves.toEqual([]);

    // The same code with a dash, and a good password: signed in to the client.
    await codeField.fill(dashed(code));
    await page.getByLabel('New password', { exact: true }).fill('lantern-orchard-93');
    await page.getByLabel('Repeat the new password').fill('lantern-orchard-93');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL(/\/demo\/callback\?code=/);
    await page.close();
  });

  it('SMS step: a wrong code stays marked and focused; the right one pasted with spaces or a dash is accepted', async () => {
    const page = await browser.newPage();
    await authorize(page);
    await page.getByLabel('Username').fill('paula');
    await page.getByLabel('Password', { exact: true }).fill('amber-lantern-42');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const codeField = page.getByLabel('Code from the text message');
    await codeField.waitFor();
    const code = codeIn(aws.sms.at(-1)!.message);
    await expect(codeField.getAttribute('maxlength')).resolves.toBeNull();
    await expect(codeField.getAttribute('autocomplete')).resolves.toBe('one-time-code');
    await expect(accessibilityViolations(page)).resolves.toEqual([]);

    const wrong = code === '000000' ? '111-111' : '000-000';
    await codeField.fill(wrong);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/not right/);
    await expect(codeField.inputValue()).resolves.toBe(wrong);
    await expect(focused(page)).resolves.toEqual({ id: 'code', invalid: 'true', describedBy: ['form-error'] });
    await expect(accessibilityViolations(page)).resolves.toEqual([]);

    await codeField.fill(spaced(code));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/demo\/callback\?code=/);
    await page.close();
  });

  it('forced password change: the username for password managers, toggles, and a refused password marked', async () => {
    const created = await adminCall(server.issuer, operator, 'POST', '/tenants/demo/users', { username: 'newbie', email: 'newbie@demo.test' });
    expect(created.body.status).toBe('password_change_required');
    const temporary = /Temporary password: (\S+)/.exec((await aws.waitForEmail('newbie@demo.test')).text)![1]!;
    const page = await browser.newPage();
    await authorize(page);
    await page.getByLabel('Username').fill('newbie');
    await page.getByLabel('Password', { exact: true }).fill(temporary);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    const username = page.getByLabel('Username');
    await username.waitFor();
    await expect(username.getAttribute('autocomplete')).resolves.toBe('username');
    await expect(username.inputValue()).resolves.toBe('newbie');
    await expect(page.getByLabel('New password', { exact: true }).getAttribute('autocomplete')).resolves.toBe('new-password');
    await expect(page.getByRole('button', { name: 'Show password' }).count()).resolves.toBe(2);
    await expect(accessibilityViolations(page)).resolves.toEqual([]);

    await page.getByLabel('New password', { exact: true }).fill('river-stone-1234');
    await page.getByLabel('Repeat the new password').fill('river-stone-9999');
    await page.getByRole('button', { name: /save|change/i }).first().click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/match|same|differ/i);
    await expect(focused(page)).resolves.toEqual({ id: 'new_password', invalid: 'true', describedBy: ['form-error', 'password-hint'] });
    await expect(accessibilityViolations(page)).resolves.toEqual([]);

    await page.getByLabel('New password', { exact: true }).fill('river-stone-1234');
    await page.getByLabel('Repeat the new password').fill('river-stone-1234');
    await page.getByRole('button', { name: /save|change/i }).first().click();
    await page.waitForURL(/\/demo\/callback\?code=/);
    await page.close();
  });
});
