import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, createUser, operatorToken } from '../helpers/admin-api.js';
import { accessibilityViolations } from '../helpers/accessibility.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
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
    await expect(page.getByLabel('Organisation').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Signed out' }).count()).resolves.toBe(1);
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
    await page.getByLabel('Organisation').selectOption({ label: 'Acme Clinic (acme)' });
    await page.getByRole('button', { name: 'Switch' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/switched organisation/);
    await expect(page.getByRole('link', { name: 'acme-nurse' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'alice' }).count()).resolves.toBe(0);
    await expectAccessible(page, 'operator-switched');
    await page.context().close();
  });
});
