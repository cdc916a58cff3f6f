import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { translator } from '../../src/infrastructure/i18n/translator.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { AwsRecorder } from '../helpers/aws-recorder.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/*
 * What only a real flow can prove about languages: which signal wins (ui_locales, then the
 * switcher's cookie, then Accept-Language), that the person's own language reaches their texts,
 * and that provider errors reach the page translated. How every page reads in every language
 * (axe, 320 px, no English left, screenshots) is the state catalogue's: page-states*.test.ts.
 */
const PASSWORD = 'amber-lantern-42';

(chromiumAvailable() || process.env.CI ? describe : describe.skip)('languages in real flows', () => {
  const aws = new AwsRecorder();
  let server: TestGatehouse;
  let browser: Browser;
  let web: oidc.Configuration;

  beforeAll(async () => {
    const env = aws.useForAws(await aws.start());
    [server, browser] = await Promise.all([startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, ...env } }), launchChromium()]);
    const operator = await operatorToken(server.issuer);
    await adminCall(server.issuer, operator, 'POST', '/tenants', { slug: 'lingua', name: 'Lingua Clinic', settings: { country: 'US', mfa: { mode: 'required' } } });
    await adminCall(server.issuer, operator, 'POST', '/tenants/lingua/users', { username: 'amelie', email: 'amelie@lingua.test', password: PASSWORD, phone: '+14155550170', locale: 'fr-FR' });
    web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await aws.stop();
  });

  async function authorizationUrl(extra: Record<string, string> = {}): Promise<string> {
    return oidc.buildAuthorizationUrl(web, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256', ...extra }).toString();
  }

  it('puts ui_locales before the switcher, and the switcher before Accept-Language', async () => {
    const context = await browser.newContext({ locale: 'es-ES' });
    const page = await context.newPage();
    const heading = () => page.locator('h1').first().textContent();
    await page.goto(await authorizationUrl());
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
    await page.getByRole('navigation', { name: translator('es')('layout.language') }).getByRole('link', { name: 'Deutsch' }).click();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('de');
    await expect(heading()).resolves.toBe(translator('de')('login.heading_to', { client: 'Demo web app' }));
    // The app knows its user: its ui_locales win over the cookie (unsupported tags are skipped).
    await page.goto(await authorizationUrl({ ui_locales: 'it fr-CA' }));
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('fr');
    await expect(heading()).resolves.toBe(translator('fr')('login.heading_to', { client: 'Demo web app' }));
    await context.close();
  });

  it('texts the code in the person’s own language, whatever the page speaks', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(await authorizationUrl());
    await page.getByLabel('Username').fill('amelie');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('h1').first().textContent()).resolves.toBe(translator('en')('second_factor.sms_title'));
    const sms = aws.sms.at(-1)!;
    expect(sms.phone).toBe('+14155550170');
    const code = /\d{6}/.exec(sms.message)![0];
    expect(sms.message).toBe(translator('fr')('sms.code', { code, organisation: 'Lingua Clinic' }));
    await context.close();
  });

  it('shows a provider error translated, with the protocol’s own words only as a technical detail', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(`${server.issuer}/auth?client_id=unknown-app&response_type=code&scope=openid&redirect_uri=https://nowhere.test/cb`);
    const t = translator('de');
    await expect(page.locator('h1').textContent()).resolves.toBe(t('common.cannot_continue'));
    await expect(page.getByRole('alert').textContent()).resolves.toBe(t('error.invalid_client'));
    await context.close();
  });
});
