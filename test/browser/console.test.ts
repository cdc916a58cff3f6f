import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, createUser, operatorToken } from '../helpers/admin-api.js';
import { accessibilityViolations } from '../helpers/accessibility.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

const SCREENSHOTS = 'test-results/screenshots/console';
const STAFF_PASSWORD = 'amber-lantern-42';

/**
 * The admin console driven in Chromium as its three kinds of people: the demo administrator,
 * a staff member (and what staff may not do), and the demo operator (every tenant).
 */
(chromiumAvailable() || process.env.CI ? describe : describe.skip)('the admin console in a real browser', () => {
  let server: TestGatehouse;
  let browser: Browser;
  let operator: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV }), launchChromium()]);
    operator = await operatorToken(server.issuer);
    await adminCall(server.issuer, operator, 'POST', '/tenants', { slug: 'acme', name: 'Acme Clinic', settings: { country: 'US', mfa: { mode: 'off' } } });
    await createUser(server.issuer, operator, { tenant: 'acme', username: 'acme-nurse', name: 'Nora Nurse' });
    await createUser(server.issuer, operator, { username: 'sam-staff', role: 'staff', password: STAFF_PASSWORD });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signedIn(username: string, password = DEMO.password, path = '/console'): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.issuer}${path}`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/console'));
    return page;
  }
  async function expectAccessible(page: Page, name: string) {
    await expect(accessibilityViolations(page)).resolves.toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
  }

  it('signs an administrator in through Gatehouse and lists and searches the users of their tenant', async () => {
    const page = await signedIn('admin');
    await page.waitForURL(`${server.issuer}/console/users`);
    await expect(page.getByRole('heading', { name: 'Users' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'alice' }).count()).resolves.toBe(1);
    const cookies = await page.context().cookies(`${server.issuer}/console`);
    expect(cookies.find((c) => c.name === 'gh_console_session')!.httpOnly).toBe(true);
    await expectAccessible(page, 'users');
    await page.getByLabel('Search by name, username, email or phone').fill('Alice Member');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('link', { name: 'alice' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'admin' }).count()).resolves.toBe(0);
    // No switcher: an administrator sees their own tenant only.
    await expect(page.getByLabel('Organisation', { exact: true }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Signed out' }).count()).resolves.toBe(1);
    await page.context().close();
  });

  it('creates a user, sets their password after showing which apps it signs out, and reports what was cut off', async () => {
    const page = await signedIn('admin');
    await page.getByRole('link', { name: 'Create a user' }).click();
    await expectAccessible(page, 'create-user');
    await page.getByLabel('Username').fill('bea-tech');
    await page.getByLabel('Email').fill('bea@demo.test');
    await page.getByLabel('Name', { exact: true }).fill('Bea Tech');
    await page.getByLabel('Password (optional)').fill('amber-lantern-99');
    await page.getByRole('button', { name: 'Create the user' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/created with the password you chose/);
    const mobile = await discoverClient(server.issuer, DEMO.mobile.clientId);
    await signInWithCode(mobile, { username: 'bea-tech', password: 'amber-lantern-99', redirectUri: `${server.issuer}${DEMO.callbackPath}` });
    await page.reload();
    await expect(page.locator('strong', { hasText: 'Demo mobile app' }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: 'Sign out of Demo mobile app' }).count()).resolves.toBe(1);
    await expectAccessible(page, 'user');
    await page.getByRole('link', { name: 'Set a password' }).click();
    await expect(page.getByText('These must sign in again').count()).resolves.toBe(1);
    await expect(page.getByRole('listitem').filter({ hasText: 'Demo mobile app' }).count()).resolves.toBe(1);
    await expectAccessible(page, 'set-password');
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Set the password and sign the user out' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/does not meet the policy/);
    await page.getByLabel('New password').fill('copper-kettle-77');
    await page.getByRole('button', { name: 'Set the password and sign the user out' }).click();
    await expect(page.getByRole('heading', { name: 'The password of bea-tech was set' }).count()).resolves.toBe(1);
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/These apps must sign in again:\s*Demo mobile app/);
    await expectAccessible(page, 'password-set-report');
    await page.context().close();
  });

  it('offers a temporary password when Reset cannot help a user who never signed in', async () => {
    await createUser(server.issuer, operator, { username: 'new-hire', password: null });
    const page = await signedIn('admin', DEMO.password, '/console/users?q=new-hire');
    await page.getByRole('link', { name: 'new-hire' }).click();
    await page.getByRole('button', { name: 'Reset: email a reset code' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/has not signed in with their temporary password/);
    await expectAccessible(page, 'reset-offers-temporary');
    await page.getByRole('button', { name: 'Email a new temporary password' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/new temporary password was emailed/);
    await page.context().close();
  });

  it('answers "why can\'t this user sign in?" with the lock, the failed attempts per app, and an unlock that works', async () => {
    const { password } = await createUser(server.issuer, operator, { username: 'locked-out' });
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    for (let i = 0; i < 5; i++) await signInWithCode(web, { username: 'locked-out', password: `wrong-password-${i}`, redirectUri: `${server.issuer}${DEMO.callbackPath}` }).catch(() => undefined);
    await server.gatehouse.events.flush();
    const page = await signedIn('admin', DEMO.password, '/console/users?q=locked-out');
    await expect(page.getByRole('cell').filter({ hasText: /locked until/ }).count()).resolves.toBe(1);
    await page.getByRole('link', { name: 'locked-out' }).click();
    await page.getByRole('link', { name: "Why can't this user sign in?" }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/cannot sign in right now/);
    await expect(page.getByRole('heading', { name: 'Demo web app' }).count()).resolves.toBe(1);
    // The timeline in sentences, not event codes.
    await expect(page.getByText(/Wrong password in Demo web app from /).count()).resolves.toBeGreaterThan(0);
    await expect(page.getByText(/login\.failed|wrong_password/).count()).resolves.toBe(0);
    await expectAccessible(page, 'diagnosis');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/was unlocked/);
    await expect(signInWithCode(web, { username: 'locked-out', password: password!, redirectUri: `${server.issuer}${DEMO.callbackPath}` })).resolves.toBeTruthy();
    await page.context().close();
  });

  it('refuses staff an administrator\'s page, and offers them the member role only', async () => {
    const page = await signedIn('sam-staff', STAFF_PASSWORD, '/console/users?q=Ada');
    await page.getByRole('link', { name: 'admin', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'You may not do this' }).count()).resolves.toBe(1);
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Staff read and manage member users only/);
    await expectAccessible(page, 'staff-refused');
    await page.goto(`${server.issuer}/console/users/new`);
    await expect(page.getByLabel('Role').locator('option').allTextContents()).resolves.toEqual(['member']);
    // Settings and clients are not staff's: not in their navigation, and refused when typed in.
    await expect(page.getByRole('navigation').getByRole('link').allTextContents()).resolves.toEqual(['Users']);
    for (const path of ['/console/settings', '/console/clients']) {
      const response = await page.goto(`${server.issuer}${path}`);
      expect(response!.status()).toBe(403);
      await expect(page.getByRole('heading', { name: 'You may not do this' }).count()).resolves.toBe(1);
    }
    await page.context().close();
  });

  it('refuses a member with a page that leads to their account page', async () => {
    const page = await signedIn('alice');
    await expect(page.getByRole('heading', { name: 'The console is for administrators and support staff' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'Go to your account page' }).count()).resolves.toBe(1);
    await expectAccessible(page, 'member-refused');
    await page.context().close();
  });

  it('lets an operator switch tenants', async () => {
    const page = await signedIn('operator');
    await expect(page.getByText('(operator)').count()).resolves.toBe(1);
    await page.getByLabel('Organisation', { exact: true }).selectOption({ label: 'Acme Clinic (acme)' });
    await page.getByRole('button', { name: 'Switch' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/switched organisation/);
    await expect(page.getByRole('link', { name: 'acme-nurse' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'alice' }).count()).resolves.toBe(0);
    await expectAccessible(page, 'operator-switched');
    // A setting of the tenant switched to: saved there, not in the operator's own.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Shortest password (characters)').fill('14');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/settings were saved/);
    expect((await adminCall(server.issuer, operator, 'GET', '/tenants/acme')).body.settings.password.min_length).toBe(14);
    expect((await adminCall(server.issuer, operator, 'GET', '/tenants/demo')).body.settings.password.min_length).toBe(10);
    await page.context().close();
  });

  it('shows an administrator the settings with their refusals at the fields, the clients with a secret shown once, and the apps of a user per device', async () => {
    const page = await signedIn('admin', DEMO.password, '/console/settings');
    await expect(page.getByText(/SMS this month/).count()).resolves.toBe(1);
    await page.getByLabel('Colour').fill('#ffdd00');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await expect(page.getByLabel('Colour').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#branding-primary_color-error').textContent()).resolves.toMatch(/contrast with white is 1\.3:1/);
    await expectAccessible(page, 'settings-refused');

    await page.getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('link', { name: 'Register a client' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Clinic portal');
    await page.getByLabel('Redirect URIs').fill('https://portal.example.com/callback');
    await page.getByRole('button', { name: 'Register' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/shown this once/);
    const secret = (await page.locator('pre.secret').textContent())!.trim();
    expect(secret.length).toBeGreaterThan(30);
    await expectAccessible(page, 'client-secret-once');
    await page.getByRole('link', { name: 'Go to the client' }).click();
    await expect(page.getByText(/Current secret/).count()).resolves.toBe(1);
    await expect(page.getByText(secret).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'All clients' }).click();
    await expect(page.getByRole('row').filter({ hasText: 'Clinic portal' }).filter({ hasText: 'never' }).count()).resolves.toBe(1);
    await expectAccessible(page, 'clients');

    // Alice signed in to the demo web app: her page names the app, the device and when it was last used.
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    await signInWithCode(web, { username: 'alice', password: DEMO.password, redirectUri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid offline_access' });
    await server.gatehouse.events.flush();
    await page.goto(`${server.issuer}/console/users?q=alice`);
    await page.getByRole('link', { name: 'alice' }).click();
    await expect(page.getByRole('listitem').filter({ hasText: /last used just now/ }).count()).resolves.toBeGreaterThan(0);
    await expect(page.getByRole('button', { name: 'Sign out of Demo web app' }).count()).resolves.toBe(1);
    await expectAccessible(page, 'user-apps');
    await page.context().close();
  });
});
