import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV } from '../helpers/admin-api.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

(chromiumAvailable() || process.env.CI ? describe : describe.skip)('no dead ends', () => {
  let server: TestGatehouse;
  let browser: Browser;
  let web: oidc.Configuration;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV }), launchChromium()]);
    web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an expired sign-in page starts the same sign-in again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', state: 'st-1', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    await page.goto(url.toString());
    await expect(page.getByLabel('Username').count()).resolves.toBe(1);
    const response = await page.goto(`${server.issuer}/interaction/bogus-uid`);
    expect(response!.status()).toBe(400);
    await expect(page.getByRole('heading', { name: 'This sign-in page has expired' }).count()).resolves.toBe(1);
    await expect(page.locator('code.error-id').textContent()).resolves.toBe(response!.headers()['x-request-id']);
    await page.getByRole('link', { name: 'Start the sign-in again' }).click();
    await page.waitForURL(/\/interaction\/[^/]+$/);
    await expect(page.getByLabel('Username').count()).resolves.toBe(1);
    await context.close();
  });

  it('an unknown client gets an error id equal to the response X-Request-Id', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${server.issuer}/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fx.test%2Fcb`);
    await expect(page.locator('code.error-id').textContent()).resolves.toBe(response!.headers()['x-request-id']);
    await page.close();
  });
});
