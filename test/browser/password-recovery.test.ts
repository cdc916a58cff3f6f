import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { AwsRecorder, codeIn } from '../helpers/aws-recorder.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

(chromiumAvailable() || process.env.CI ? describe : describe.skip)('forgot password in a real browser', () => {
  const aws = new AwsRecorder();
  let server: TestGatehouse;
  let browser: Browser;

  beforeAll(async () => {
    const env = aws.useForAws(await aws.start());
    [server, browser] = await Promise.all([startTestGatehouse(fullestStorage(), { env }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await aws.stop();
  });

  it('goes from an authorization request through the emailed code to being signed in to the client', async () => {
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    const callback = `${server.issuer}${DEMO.callbackPath}`;
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: callback, scope: 'openid profile', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });

    const page = await browser.newPage();
    await page.goto(url.toString());
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Username').fill('alice');
    await page.getByRole('button', { name: 'Send me a code' }).click();

    const email = await aws.waitForEmail('alice@demo.gatehouse.localhost');
    // A wrong code first: the page says so and stays usable.
    await page.getByLabel('Code from the email').fill(codeIn(email.text) === '000000' ? '111111' : '000000');
    await page.getByLabel('New password', { exact: true }).fill('lantern-orchard-92');
    await page.getByLabel('Repeat the new password').fill('lantern-orchard-92');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/not right/);

    await page.getByLabel('Code from the email').fill(codeIn(email.text));
    await page.getByLabel('New password', { exact: true }).fill('lantern-orchard-92');
    await page.getByLabel('Repeat the new password').fill('lantern-orchard-92');
    await page.getByRole('button', { name: 'Change password' }).click();

    // Back to the application that asked, signed in (the demo callback page shows the claims).
    await page.waitForURL(/\/demo\/callback\?code=/);
    expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
    await page.screenshot({ path: 'test-results/recovery-done.png', fullPage: true });
  });
});
