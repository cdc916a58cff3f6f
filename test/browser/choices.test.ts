import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { accessibilityViolations } from '../helpers/accessibility.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * The pages say exactly what a choice does: which apps a sign-out ends, which account a device
 * gets, and the safer action of a warning comes first.
 */
(chromiumAvailable() || process.env.CI ? describe : describe.skip)('choices the pages make plain', () => {
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

  async function signInToWeb(page: Page, username = 'alice', password = DEMO.password): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
    const verifier = oidc.randomPKCECodeVerifier();
    await page.goto(oidc.buildAuthorizationUrl(web, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' }).toString());
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
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
});
