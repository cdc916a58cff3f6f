import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../src/demo/demo-objects.js';
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
    web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await aws.stop();
  });

  async function signIn(page: Page, extra: Record<string, string> = {}) {
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256', ...extra });
    await page.goto(url.toString());
    await page.getByLabel('Username').fill('fiona');
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
});
