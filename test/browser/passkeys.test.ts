import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium, pageWithAuthenticator } from '../helpers/chromium.js';
import { SignInHarness } from '../helpers/sign-in-harness.js';
import { accessibilityViolations } from '../helpers/accessibility.js';

/**
 * Passkeys through the real pages in Chromium, with the DevTools WebAuthn domain's virtual
 * authenticator standing in for a phone's or laptop's (a resident key with user verification).
 */
(chromiumAvailable() || process.env.CI ? describe : describe.skip)('passkeys in a real browser', () => {
  const h = new SignInHarness();
  let browser: Browser;

  beforeAll(async () => {
    [, browser] = await Promise.all([h.start(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await h.stop();
  });

  /** Starts a sign-in at the demo web app; returns the PKCE verifier to redeem the code with. */
  async function startSignIn(page: Page, extra: Record<string, string> = {}): Promise<string> {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(h.web, { redirect_uri: h.callback, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra });
    await page.goto(url.toString());
    return verifier;
  }

  async function password(page: Page, username: string): Promise<void> {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('amber-lantern-42');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  async function amrAt(page: Page, verifier: string): Promise<string[]> {
    await page.waitForURL(/\/demo\/callback\?code=/);
    return (await oidc.authorizationCodeGrant(h.web, new URL(page.url()), { pkceCodeVerifier: verifier })).claims()!.amr as string[];
  }

  it('creates a passkey at the first sign-in, then uses it as the second step', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required', methods: ['totp', 'passkey', 'recovery_code'] } });
    const { id } = await h.user(slug, `pia-${slug}`);
    const page = (await pageWithAuthenticator(browser)).page;

    let verifier = await startSignIn(page);
    await password(page, `pia-${slug}`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Use a passkey instead' }).click();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create a passkey' }).click();
    await page.getByText('Keep your recovery codes').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('link', { name: /I have kept them/ }).click();
    expect(await amrAt(page, verifier)).toEqual(['pwd', 'hwk']);

    // This browser is remembered for a month; once forgotten, the passkey is asked for.
    expect((await h.admin('DELETE', `/tenants/${slug}/users/${id}/devices`)).status).toBe(200);
    verifier = await startSignIn(page, { prompt: 'login' });
    await password(page, `pia-${slug}`);
    await page.getByRole('button', { name: 'Use my passkey' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Use my passkey' }).click();
    expect(await amrAt(page, verifier)).toEqual(['pwd', 'hwk']);
  });

  it('signs in without a password where the tenant allows it, and not where it does not', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required', methods: ['passkey', 'recovery_code'], passwordless: true } });
    await h.user(slug, `quin-${slug}`);
    const page = (await pageWithAuthenticator(browser)).page;
    let verifier = await startSignIn(page);
    await password(page, `quin-${slug}`);
    await page.getByRole('button', { name: 'Create a passkey' }).click();
    await page.getByRole('link', { name: /I have kept them/ }).click();
    await amrAt(page, verifier);

    verifier = await startSignIn(page, { prompt: 'login' });
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    expect(await amrAt(page, verifier)).toEqual(['hwk']);

    expect((await h.admin('PATCH', `/tenants/${slug}`, { settings: { mfa: { passwordless: false } } })).status).toBe(200);
    await startSignIn(page, { prompt: 'login' });
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByText('Your organisation asks for your password').waitFor();
  });
});
