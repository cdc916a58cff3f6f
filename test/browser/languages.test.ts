import { mkdirSync } from 'node:fs';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { translator } from '../../src/infrastructure/i18n/translator.js';
import { accessibilityViolations } from '../helpers/accessibility.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { AwsRecorder } from '../helpers/aws-recorder.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

const LANGUAGES = ['de', 'es', 'fr'] as const;
const WAYS = ['ui_locales', 'switcher', 'Accept-Language'] as const;
const PASSWORD = 'amber-lantern-42';

(chromiumAvailable() || process.env.CI ? describe : describe.skip)('the main pages in German, Spanish and French', () => {
  const aws = new AwsRecorder();
  let server: TestGatehouse;
  let browser: Browser;
  let web: oidc.Configuration;

  beforeAll(async () => {
    const env = aws.useForAws(await aws.start());
    [server, browser] = await Promise.all([startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, ...env } }), launchChromium()]);
    const operator = await operatorToken(server.issuer);
    await adminCall(server.issuer, operator, 'POST', '/tenants', { slug: 'lingua', name: 'Lingua Clinic', settings: { country: 'US', mfa: { mode: 'required' } } });
    // One person per run, so no run meets another's SMS limits.
    let n = 0;
    for (const language of LANGUAGES) for (const way of WAYS) await adminCall(server.issuer, operator, 'POST', '/tenants/lingua/users', { username: userOf(language, way), email: `${userOf(language, way)}@lingua.test`, password: PASSWORD, phone: `+1415555017${n++}` });
    web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await aws.stop();
  });

  function userOf(language: string, way: string): string {
    return `${language}-${way.replace(/[^a-z]/gi, '').toLowerCase()}`;
  }

  async function authorizationUrl(extra: Record<string, string>): Promise<string> {
    return oidc.buildAuthorizationUrl(web, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256', ...extra }).toString();
  }

  /** The page is in `language`, shows `heading`, has no axe violations, fits 320 px; a screenshot is kept. */
  async function check(page: Page, language: string, name: string, heading: string): Promise<void> {
    await expect(page.locator('h1').first().textContent()).resolves.toBe(heading);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe(language);
    await expect(accessibilityViolations(page)).resolves.toEqual([]);
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(320);
    mkdirSync(`test-results/screenshots/${language}`, { recursive: true });
    await page.screenshot({ path: `test-results/screenshots/${language}/${name}.png`, fullPage: true });
  }

  for (const language of LANGUAGES) {
    for (const way of WAYS) {
      it(`${language}, chosen by ${way}`, async () => {
        const t = translator(language);
        const context: BrowserContext = await browser.newContext({ viewport: { width: 320, height: 720 }, locale: way === 'Accept-Language' ? language : 'en-US' });
        const page = await context.newPage();
        const ui: Record<string, string> = way === 'ui_locales' ? { ui_locales: `${language}-XX en` } : {};

        await page.goto(await authorizationUrl(ui));
        if (way === 'switcher') {
          await page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: { de: 'Deutsch', es: 'Español', fr: 'Français' }[language] }).click();
        }
        await expect(page.locator('h1').first().textContent()).resolves.toMatch(new RegExp(t('login.heading_to', { client: '.+' })));
        await check(page, language, 'login', (await page.locator('h1').first().textContent())!);
        await expect(page.getByRole('button', { name: t('login.submit') }).count()).resolves.toBe(1);

        // A wrong password (an unknown name: the lockout of the real people stays untouched).
        await page.getByLabel(t('common.username')).fill(`nobody-${userOf(language, way)}`);
        await page.getByLabel(t('login.password')).fill('wrong-password-1');
        await page.getByRole('button', { name: t('login.submit') }).click();
        await expect(page.getByRole('alert').first().textContent()).resolves.toContain(t('login.invalid_credentials'));
        await check(page, language, 'wrong-password', (await page.locator('h1').first().textContent())!);

        // Forgot password: start, then the code step.
        await page.getByRole('link', { name: t('login.forgot') }).click();
        await check(page, language, 'forgot-password', t('forgot.title'));
        await page.getByLabel(t('common.username')).fill(`nobody-${userOf(language, way)}`);
        await page.getByRole('button', { name: t('forgot.send') }).click();
        await check(page, language, 'forgot-password-code', t('forgot.code_title'));
        await page.getByRole('link', { name: t('common.back_to_sign_in') }).click();

        // The second step: the SMS code entry.
        await page.getByLabel(t('common.username')).fill(userOf(language, way));
        await page.getByLabel(t('login.password')).fill(PASSWORD);
        await page.getByRole('button', { name: t('login.submit') }).click();
        await check(page, language, 'second-factor-code', t('second_factor.sms_title'));

        // An error page: an application Gatehouse does not know.
        await page.goto(`${server.issuer}/auth?client_id=unknown-app&response_type=code&scope=openid&redirect_uri=https://nowhere.test/cb${way === 'ui_locales' ? `&ui_locales=${language}` : ''}`);
        await check(page, language, 'error', t('common.cannot_continue'));

        // Logout confirmation.
        await page.goto(`${server.issuer}/session/end${way === 'ui_locales' ? `?ui_locales=${language}` : ''}`);
        await check(page, language, 'logout', t('logout.heading'));
        await context.close();
      }, 90_000);
    }
  }
});
