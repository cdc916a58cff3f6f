import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { AwsRecorder, codeIn } from '../helpers/aws-recorder.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

const DAY = 24 * 60 * 60 * 1000;

(chromiumAvailable() || process.env.CI ? describe : describe.skip)('SMS second factor in a real browser', () => {
  const aws = new AwsRecorder();
  let clockOffsetMs = 0;
  let server: TestGatehouse;
  let browser: Browser;
  let web: oidc.Configuration;

  beforeAll(async () => {
    const env = aws.useForAws(await aws.start());
    [server, browser] = await Promise.all([
      startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, ...env }, gatehouse: { now: () => new Date(Date.now() + clockOffsetMs) } }),
      launchChromium(),
    ]);
    const operator = await operatorToken(server.issuer);
    await adminCall(server.issuer, operator, 'POST', '/tenants', { slug: 'field', name: 'Field Services', settings: { country: 'US', mfa: { mode: 'required', reverify_days: 30 } } });
    await adminCall(server.issuer, operator, 'POST', '/tenants/field/users', { username: 'fiona', email: 'fiona@field.test', password: 'amber-lantern-42' });
    await adminCall(server.issuer, operator, 'POST', '/tenants', { slug: 'tiny', name: 'Tiny Clinic', settings: { country: 'US', mfa: { mode: 'required' }, sms: { monthly_budget: 1 } } });
    await adminCall(server.issuer, operator, 'POST', '/tenants/tiny/users', { username: 'gus', email: 'gus@tiny.test', password: 'amber-lantern-42', phone: '+14155550160' });
    await adminCall(server.issuer, operator, 'POST', '/tenants', { slug: 'relaxed', name: 'Relaxed Clinic', settings: { country: 'US', mfa: { mode: 'optional' } } });
    await adminCall(server.issuer, operator, 'POST', '/tenants/relaxed/users', { username: 'hal', email: 'hal@relaxed.test', password: 'amber-lantern-42' });
    web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await aws.stop();
  });

  async function signIn(page: Page, extra: Record<string, string> = {}, username = 'fiona') {
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256', ...extra });
    await page.goto(url.toString());
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('amber-lantern-42');
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  const latestSms = () => codeIn(aws.sms.at(-1)!.message);

  it('adds a phone at the first sign-in, then asks for the code again only after a month', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page);

    await page.getByLabel('Mobile number').fill('(415) 555-0150');
    await page.getByRole('button', { name: 'Send the code' }).click();
    await expect(page.getByText('number ending in 0150').count()).resolves.toBe(1);
    await page.getByLabel('Code from the text message').fill(latestSms());
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/demo\/callback\?code=/);

    // Remembered: the password alone.
    await signIn(page, { prompt: 'login' });
    await page.waitForURL(/\/demo\/callback\?code=/);

    // A month later: the code again, and "Send new code" gives a new one.
    clockOffsetMs = 31 * DAY;
    await signIn(page, { prompt: 'login' });
    await expect(page.getByText('number ending in 0150').count()).resolves.toBe(1);
    const first = latestSms();
    clockOffsetMs += 31_000;
    await page.getByRole('button', { name: 'Send new code' }).click();
    await expect(page.getByText('We sent a new code').count()).resolves.toBe(1);
    const second = latestSms();
    expect(second).not.toBe(first);
    await page.getByLabel('Code from the text message').fill(second);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/demo\/callback\?code=/);
    await page.screenshot({ path: 'test-results/second-factor-done.png' });
    await context.close();
  });

  it('after five wrong codes, offers the way back to the application, then tells the next sign-in that the budget is used up', async () => {
    const page = await browser.newPage();
    await signIn(page, {}, 'gus');
    const code = latestSms();
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) {
      await page.getByLabel('Code from the text message').fill(wrong);
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(/not right/);
    }
    await page.getByLabel('Code from the text message').fill(wrong);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('heading', { name: 'Too many wrong codes' }).count()).resolves.toBe(1);
    await page.getByRole('link', { name: 'Return to the application' }).click();
    await page.waitForURL(/error=access_denied/);

    // The tenant's budget of one SMS is spent: the page says so and sends nothing.
    const sent = aws.sms.length;
    await signIn(page, { prompt: 'login' }, 'gus');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/budget for this month is used up/);
    expect(aws.sms.length).toBe(sent);
    await page.close();
  });

  it('warns a user without a phone under the optional policy and lets them continue', async () => {
    const page = await browser.newPage();
    await signIn(page, {}, 'hal');
    await expect(page.getByRole('heading', { name: 'Protect your account' }).count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Continue without' }).click();
    await page.waitForURL(/\/demo\/callback\?code=/);
    await page.close();
  });

  it('asks for an emailed code before a later phone change, when the tenant turns SMS on', async () => {
    const operator = await operatorToken(server.issuer);
    await adminCall(server.issuer, operator, 'PATCH', '/tenants/relaxed', { settings: { mfa: { mode: 'required' } } });
    const page = await browser.newPage();
    await signIn(page, { prompt: 'login' }, 'hal');
    await expect(page.getByRole('heading', { name: 'Confirm it is you' }).count()).resolves.toBe(1);
    const email = await aws.waitForEmail('hal@relaxed.test', (e) => e.subject === 'Your code to change your mobile number');
    await page.getByLabel('Code from the email').fill(codeIn(email.text));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Mobile number').fill('+1 415 555 0161');
    await page.getByRole('button', { name: 'Send the code' }).click();
    await page.getByLabel('Code from the text message').fill(latestSms());
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/demo\/callback\?code=/);
    await page.close();
  });
});
