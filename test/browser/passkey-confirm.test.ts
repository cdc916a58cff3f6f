import type { Browser, Page } from 'playwright-core';
import { totpCodeAt } from '../../src/domain/second-factor/totp/totp.js';
import { accessibilityViolations } from '../helpers/accessibility.js';
import { chromiumAvailable, launchChromium, pageWithAuthenticator } from '../helpers/chromium.js';
import { SignInHarness } from '../helpers/sign-in-harness.js';

/**
 * "Confirm it is you" with a passkey, for a person whose only second factor is a passkey: on the
 * account page (then adding and removing a method) and in the console (then a destructive
 * action). Chromium's DevTools WebAuthn virtual authenticator stands in for the device.
 */
(chromiumAvailable() || process.env.CI ? describe : describe.skip)('confirming it is you with a passkey', () => {
  const h = new SignInHarness();
  let browser: Browser;

  beforeAll(async () => {
    [, browser] = await Promise.all([h.start(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await h.stop();
  });

  /** Signs in at `path`, creating a passkey at the first sign-in; then the recovery codes shown with it are removed: the passkey is the only method. */
  async function signedInWithOnlyAPasskey(page: Page, path: string, username: string, userId: string): Promise<void> {
    await page.goto(`${h.issuer}${path}`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('amber-lantern-42');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Use a passkey instead' }).click();
    await page.getByRole('button', { name: 'Create a passkey' }).click();
    await page.getByRole('link', { name: /I have kept them/ }).click();
    await page.waitForURL((url) => url.pathname.startsWith(path));
    await h.server.gatehouse.database.knex('recovery_codes').where({ user_id: userId }).del();
  }

  const events = async (userId: string, type: string) => {
    await h.server.gatehouse.events.flush();
    return h.server.gatehouse.database.knex('events').where({ user_id: userId, type });
  };

  it('on the account page: a failed or cancelled passkey confirms nothing; the passkey then confirms, and a method is added and removed', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required', methods: ['totp', 'passkey', 'recovery_code'] } });
    const { id } = await h.user(slug, `pim-${slug}`);
    const { page, cdp, authenticatorId } = await pageWithAuthenticator(browser);
    await signedInWithOnlyAPasskey(page, '/account', `pim-${slug}`, id);

    await page.goto(`${h.issuer}/account/confirm`);
    await expect(accessibilityViolations(page)).resolves.toEqual([]);
    // Without JavaScript the page says why the passkey cannot be used.
    const noScript = await (await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() })).newPage();
    await noScript.goto(`${h.issuer}/account/confirm`);
    await expect(noScript.locator('main').textContent()).resolves.toContain('Using your passkey needs JavaScript');
    await noScript.context().close();

    // A device without this passkey: the browser refuses, the page says so and stays.
    const other = await pageWithAuthenticator(browser, await page.context().storageState());
    await other.page.goto(`${h.issuer}/account/confirm`);
    await other.page.getByRole('button', { name: 'Use your passkey' }).click();
    await expect(other.page.getByRole('alert').textContent()).resolves.toMatch(/passkey (was not used|did not work)/);
    expect(new URL(other.page.url()).pathname).toBe('/account/confirm');
    await other.page.context().close();

    // An answer that does not verify (a bogus signature): refused, a try spent, no proof.
    await cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId, isBogusSignature: true });
    await page.getByRole('button', { name: 'Use your passkey' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/could not confirm it is you.*4 tries left/);
    await expect(accessibilityViolations(page)).resolves.toEqual([]);
    await page.goto(`${h.issuer}/account/methods`);
    await page.getByRole('button', { name: 'Add an authenticator app' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/first confirm it is you/);

    await cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId, isBogusSignature: false });
    await page.goto(`${h.issuer}/account/confirm`);
    await page.getByRole('button', { name: 'Use your passkey' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/next 5 minutes/);

    // Adding an authenticator app, then removing it again, on the passkey's proof.
    await page.getByRole('button', { name: 'Add an authenticator app' }).click();
    const secret = (await page.locator('#secret-text code').textContent())!.replace(/\s/g, '');
    await page.getByLabel('Code from the app').fill(totpCodeAt(secret, new Date()));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('link', { name: /I have kept them/ }).click();
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/method was added/);
    await page.getByRole('button', { name: 'Remove “Authenticator app”' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/method was removed/);

    expect((await events(id, 'account.second_factor_confirmed')).map((e) => e.details)).toEqual([{ method: 'passkey' }]);
    expect((await events(id, 'mfa.failed')).map((e) => [e.reason, e.details.on])).toEqual([['passkey_not_recognised', 'account']]);
    expect((await events(id, 'account.method_removed')).map((e) => e.details)).toEqual([{ method: 'totp', confirmed_with: 'passkey' }]);
    await page.context().close();
  });

  it('in the console: an administrator with only a passkey confirms with it, then signs a user out everywhere', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required', methods: ['totp', 'passkey', 'recovery_code'] } });
    const admin = await h.user(slug, `pat-${slug}`, { role: 'admin' });
    const member = await h.user(slug, `mel-${slug}`);
    const { page } = await pageWithAuthenticator(browser);
    await signedInWithOnlyAPasskey(page, '/console', `pat-${slug}`, admin.id);

    // The fresh sign-in asks for the password only (this browser is remembered for the passkey).
    const userPath = `/console/users/${member.id}`;
    await page.goto(`${h.issuer}/console/reauthenticate?return=${encodeURIComponent(userPath)}`);
    await page.getByLabel('Username').fill(`pat-${slug}`);
    await page.getByLabel('Password').fill('amber-lantern-42');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${h.issuer}${userPath}?done=reauthenticated`);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('link', { name: 'Confirm with my second factor' }).click();
    await expect(accessibilityViolations(page)).resolves.toEqual([]);
    await page.getByRole('button', { name: 'Use your passkey' }).click();
    await page.waitForURL(`${h.issuer}${userPath}?done=confirmed`);

    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await expect(page.getByRole('heading', { name: `mel-${slug} was signed out everywhere` }).count()).resolves.toBe(1);
    expect(await events(member.id, 'admin.user_signed_out')).toHaveLength(1);
    expect((await events(admin.id, 'account.second_factor_confirmed')).map((e) => e.details)).toEqual([{ method: 'passkey' }]);
    await page.context().close();
  });
});
