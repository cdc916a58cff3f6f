import type { Browser } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

// CI installs Chromium; a developer machine without it skips this file rather than failing.
(chromiumAvailable() || process.env.CI ? describe : describe.skip)('demo sign-in in a real browser', () => {
  let server: TestGatehouse;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestGatehouse(fullestStorage()), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs in through the home page and ends on the page with the ID token claims', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.issuer}/`);
    await page.getByRole('link', { name: /sign in with the demo app/i }).click();

    // A wrong password first: the page says so in an alert and keeps the username.
    await page.locator('input[name=username][autocomplete=username]').fill('alice');
    await page.locator('input[name=password][autocomplete=current-password]').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/username or password is incorrect/);
    expect(await page.locator('input[name=username]').inputValue()).toBe('alice');
    expect(await page.getByRole('link', { name: 'Forgot your password?' }).count()).toBe(1);

    await page.getByLabel('Password').fill(DEMO.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/demo\/callback/);
    const claims = JSON.parse((await page.locator('#id-token-claims').textContent())!);
    expect(claims).toMatchObject({ preferred_username: 'alice', role: 'member', amr: ['pwd'], iss: server.issuer, aud: DEMO.web.clientId });
    await page.screenshot({ path: 'test-results/demo-signed-in.png', fullPage: true });
  });
});
