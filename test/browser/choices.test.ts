import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { accessibilityViolations } from '../helpers/accessibility.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { AwsRecorder, codeIn } from '../helpers/aws-recorder.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * The pages say exactly what a choice does: which apps a sign-out ends, which account a device
 * gets, and the safer action of a warning comes first.
 */
(chromiumAvailable() || process.env.CI ? describe : describe.skip)('choices the pages make plain', () => {
  const aws = new AwsRecorder();
  let server: TestGatehouse;
  let browser: Browser;
  let web: oidc.Configuration;

  beforeAll(async () => {
    const env = aws.useForAws(await aws.start());
    [server, browser] = await Promise.all([startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, ...env } }), launchChromium()]);
    web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await aws.stop();
  });

  async function signInToWeb(page: Page, username = 'alice', password = DEMO.password, options: { stay?: boolean } = {}): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
    const verifier = oidc.randomPKCECodeVerifier();
    await page.goto(oidc.buildAuthorizationUrl(web, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' }).toString());
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    if (options.stay) await page.getByLabel('Stay signed in on this device').check();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/demo\/callback\?code=/);
    return oidc.authorizationCodeGrant(web, new URL(page.url()), { pkceCodeVerifier: verifier });
  }

  it('names the apps a sign-out of everything ends, and offers signing out of the one app only', async () => {
    const page = await (await browser.newContext()).newPage();
    const tokens = await signInToWeb(page);
    await page.goto(oidc.buildEndSessionUrl(web, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${server.issuer}/` }).toString());
    await page.getByText('and of every app you signed in to here: Demo web app').waitFor();
    await page.getByRole('button', { name: 'Sign out of everything in this browser' }).waitFor();
    await page.getByRole('button', { name: 'Sign out of Demo web app only' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('names the account a device will use, with a way out for someone else', async () => {
    const page = await (await browser.newContext()).newPage();
    await signInToWeb(page);
    const downloader = await discoverClient(server.issuer, DEMO.downloader.clientId);
    const device = await oidc.initiateDeviceAuthorization(downloader, { scope: 'openid offline_access' });
    await page.goto(device.verification_uri_complete!);
    // The code came in the link: the confirmation is the first page.
    await page.getByText('You are signed in as alice: the device will use this account.').waitFor();
    await expect(page.getByRole('link', { name: /Not you\?/ }).getAttribute('href')).resolves.toBe('/session/end');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('puts adding a mobile number first on the optional second-factor warning', async () => {
    const operator = await operatorToken(server.issuer);
    await adminCall(server.issuer, operator, 'POST', '/tenants', { slug: 'optional', name: 'Optional Clinic', settings: { mfa: { mode: 'optional' } } });
    await adminCall(server.issuer, operator, 'POST', '/tenants/optional/users', { username: 'olga', email: 'olga@optional.test', password: 'amber-lantern-42' });
    const page = await (await browser.newContext()).newPage();
    await page.goto(oidc.buildAuthorizationUrl(web, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' }).toString());
    await page.getByLabel('Username').fill('olga');
    await page.getByLabel('Password').fill('amber-lantern-42');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Protect your account' }).waitFor();
    const buttons = page.locator('main button');
    await expect(buttons.first().textContent()).resolves.toBe('Add a mobile number now');
    expect(await buttons.first().getAttribute('class')).toBeNull();
  });

  it('keeps the Gatehouse session past the browser only when the person chooses to stay signed in', async () => {
    const sessionCookie = async (page: Page) => (await page.context().cookies(server.issuer)).find((cookie) => cookie.name === '_session');
    let page = await (await browser.newContext()).newPage();
    await signInToWeb(page);
    expect((await sessionCookie(page))?.expires).toBe(-1);
    page = await (await browser.newContext()).newPage();
    await signInToWeb(page, 'alice', DEMO.password, { stay: true });
    expect((await sessionCookie(page))!.expires).toBeGreaterThan(Date.now() / 1000 + 3600);
  });

  it('does not remember the second step on a shared computer', async () => {
    const operator = await operatorToken(server.issuer);
    await adminCall(server.issuer, operator, 'POST', '/tenants', { slug: 'shared', name: 'Shared Clinic', settings: { mfa: { mode: 'required' } } });
    await adminCall(server.issuer, operator, 'POST', '/tenants/shared/users', { username: 'sami', email: 'sami@shared.test', password: 'amber-lantern-42', phone: '+14155550177' });
    const page = await (await browser.newContext()).newPage();
    const passSms = async (shared: boolean) => {
      const sent = aws.sms.length;
      await page.goto(oidc.buildAuthorizationUrl(web, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', prompt: 'login', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' }).toString());
      await page.getByLabel('Username').fill('sami');
      await page.getByLabel('Password').fill('amber-lantern-42');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const codeField = page.getByLabel('Code from the text message');
      const asked = await Promise.race([codeField.waitFor().then(() => true), page.waitForURL(/\/demo\/callback\?code=/).then(() => false)]);
      if (!asked) return false;
      expect(await accessibilityViolations(page)).toEqual([]);
      if (shared) await page.getByLabel("This is a shared computer: don't remember this browser").check();
      for (let i = 0; i < 100 && aws.sms.length === sent; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      await codeField.fill(codeIn(aws.sms.at(-1)!.message));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(/\/demo\/callback\?code=/);
      return true;
    };
    expect(await passSms(true)).toBe(true);
    // Not remembered: asked again; then remembered, and not asked.
    expect(await passSms(false)).toBe(true);
    expect(await passSms(false)).toBe(false);
  });
});
