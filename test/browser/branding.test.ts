import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { accessibilityViolations } from '../helpers/accessibility.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/** A 1×1 PNG: the smallest real logo. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const PASSWORD = 'amber-lantern-42';

/** A tenant's look on its sign-in pages and in its emails, set through the admin API. */
(chromiumAvailable() || process.env.CI ? describe : describe.skip)("tenant branding on pages and in emails", () => {
  let server: TestGatehouse;
  let browser: Browser;
  let operator: string;
  let tenantId: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV }), launchChromium()]);
    operator = await operatorToken(server.issuer);
    tenantId = (await admin('POST', '/tenants', { slug: 'harbour', name: 'Harbour Clinics Ltd', settings: { mfa: { mode: 'required' } } })).body.id;
    await admin('POST', '/tenants/harbour/users', { username: 'hana', email: 'hana@harbour.test', password: PASSWORD });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const admin = (method: string, path: string, body?: unknown) => adminCall(server.issuer, operator, method, path, body);

  it('accepts a readable colour, a real image and an https support link, and refuses the rest with the reason', async () => {
    const pale = await admin('PATCH', '/tenants/harbour', { settings: { branding: { primary_color: '#ffcc00' } } });
    expect(pale.status).toBe(400);
    expect(pale.body.errors).toEqual([expect.objectContaining({ field: 'settings.branding.primary_color', message: expect.stringContaining('at least 4.5:1') })]);
    expect((await admin('PATCH', '/tenants/harbour', { settings: { branding: { support_url: 'http://help.example' } } })).status).toBe(400);
    expect((await admin('PUT', '/tenants/harbour/logo', { image: `data:image/png;base64,${Buffer.from('<svg onload=alert(1)>').toString('base64')}` })).status).toBe(400);
    expect((await admin('PUT', '/tenants/harbour/logo', { image: 'data:image/svg+xml;base64,PHN2Zz4=' })).status).toBe(400);

    const set = await admin('PATCH', '/tenants/harbour', { settings: { branding: { display_name: 'Harbour Clinics', primary_color: '#0B5D3B', support_contact: 'help@harbour.test', support_url: 'https://help.harbour.test' } } });
    expect(set.status).toBe(200);
    expect(set.body.settings.branding).toMatchObject({ display_name: 'Harbour Clinics', primary_color: '#0b5d3b' });
    const logo = await admin('PUT', '/tenants/harbour/logo', { image: `data:image/png;base64,${PNG}` });
    expect(logo.status).toBe(200);
    expect(logo.body.settings.branding.logo_version).toEqual(expect.any(Number));

    const image = await fetch(`${server.issuer}/branding/${tenantId}/logo?v=${logo.body.settings.branding.logo_version}`);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).equals(Buffer.from(PNG, 'base64'))).toBe(true);
    await expect((await fetch(`${server.issuer}/branding/${tenantId}/theme.css`)).text()).resolves.toContain('button{background:#0b5d3b}');
  });

  async function startSignIn(page: Page, clientId: string, secret: string | undefined): Promise<void> {
    const client = await discoverClient(server.issuer, clientId, secret);
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: `${server.issuer}${DEMO.callbackPath}`,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    await page.goto(url.toString());
  }

  async function expectBranded(page: Page): Promise<void> {
    await page.getByRole('img', { name: 'Harbour Clinics' }).waitFor();
    await page.getByText('Need help? Contact Harbour Clinics: help@harbour.test').waitFor();
    await expect(page.getByRole('link', { name: 'Support page' }).getAttribute('href')).resolves.toBe('https://help.harbour.test');
    await expect(page.title()).resolves.toContain('Harbour Clinics');
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('button:not(.show-password)')!).backgroundColor)).toBe('rgb(11, 93, 59)');
    expect(await accessibilityViolations(page)).toEqual([]);
  }

  it("shows the organisation on every page of a sign-in to the tenant's own app", async () => {
    const app = await admin('POST', '/tenants/harbour/clients', { kind: 'web', name: 'Harbour portal', redirect_uris: [`${server.issuer}${DEMO.callbackPath}`] });
    expect(app.status).toBe(201);
    const page = await (await browser.newContext()).newPage();
    await startSignIn(page, app.body.client_id, app.body.client_secret);
    await expectBranded(page);
  });

  it("shows it in a vendor's app for everyone once the person is known, and plain before", async () => {
    const page = await (await browser.newContext()).newPage();
    await startSignIn(page, DEMO.web.clientId, DEMO.web.secret);
    await expect(page.getByRole('img').count()).resolves.toBe(0);
    await expect(page.title()).resolves.toContain('Gatehouse');
    await page.getByLabel('Username').fill('hana');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // The second step (the tenant requires one) is the tenant's.
    await page.getByLabel('Mobile number').waitFor();
    await expectBranded(page);
  });

  it('brands every email: the organisation, its logo and where to get help', async () => {
    await fetch(`${server.issuer}/forgot-password`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.issuer }, body: 'username=hana' });
    const outbox = async () => ((await (await fetch(`${server.issuer}/dev/outbox`)).json()) as { messages: { to?: string; destination_masked?: string; text?: string; html?: string; purpose: string }[] }).messages;
    let reset: Awaited<ReturnType<typeof outbox>>[number] | undefined;
    for (let i = 0; i < 50 && !reset?.text; i++) {
      reset = (await outbox()).find((m) => m.purpose === 'recovery-code');
      if (!reset?.text) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(reset?.text).toContain('Need help? Contact Harbour Clinics: help@harbour.test (https://help.harbour.test).');
    expect(reset?.text).toContain('the sign-in service of Harbour Clinics.');
    expect(reset?.html).toContain(`src="${server.issuer}/branding/${tenantId}/logo?v=`);
  });
});
