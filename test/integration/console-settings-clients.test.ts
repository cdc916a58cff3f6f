import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { csrfOf, postConsoleForm, signInToConsole } from '../helpers/console-visitor.js';
import { OPERATOR_ENV, adminCall, createUser, demoAdminToken, operatorToken } from '../helpers/admin-api.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

const STAFF_PASSWORD = 'amber-lantern-42';

/**
 * The console's settings, clients and apps act as the admin API does: the same input refused
 * the same way (the API's message shown at the form's field), a new secret shown once, and the
 * destructive ones (rotate a secret, sign out of an app) only within 5 minutes of the password.
 */
describe('console settings, clients and apps over HTTP', () => {
  let server: TestGatehouse;
  let operator: string;
  let admin: string;
  let clockOffset = 0;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV, gatehouse: { now: () => new Date(Date.now() + clockOffset) } });
    operator = await operatorToken(server.issuer);
    admin = await demoAdminToken(server.issuer);
    await createUser(server.issuer, operator, { username: 'sam-staff', role: 'staff', password: STAFF_PASSWORD });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const consoleAs = (username: string, password: string) => signInToConsole(server.issuer, username, password);
  const post = (browser: HttpBrowser, path: string, form: Record<string, string>) => postConsoleForm(server.issuer, browser, path, form);
  const unescape = (html: string) => html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  /** The message the page shows next to the field `id`. */
  const fieldError = (page: string, id: string) => unescape(new RegExp(`id="${id}-error"><span lang="en">([^<]*)<`).exec(page)?.[1] ?? '');
  async function reauthenticate(browser: HttpBrowser, username: string, returnTo: string): Promise<void> {
    const login = await browser.go(`${server.issuer}/console/reauthenticate?return=${encodeURIComponent(returnTo)}`);
    await browser.go(new URL(HttpBrowser.formAction(login, /login$/), server.issuer).toString(), { form: { username, password: DEMO.password } });
  }

  it('refuses a setting as the admin API does, at its field, and saves a good one', async () => {
    const { browser } = await consoleAs('admin', DEMO.password);
    const page = await browser.go(`${server.issuer}/console/settings`);
    expect(browser.lastStatus).toBe(200);
    expect(page).toMatch(/SMS this month \(\d{4}-\d{2}\): 0 sent of 500, 500 left/);
    const csrf = csrfOf(page);

    // A colour white text cannot be read on: the API's 400 and the console's name the same problem.
    const api = await adminCall(server.issuer, admin, 'PATCH', '/tenants/demo', { settings: { branding: { primary_color: '#ffdd00' } } });
    expect(api.status).toBe(400);
    const apiMessage = api.body.errors.find((e: { field: string }) => e.field === 'settings.branding.primary_color').message;
    expect(apiMessage).toMatch(/contrast with white/);
    const refused = await post(browser, '/console/settings', { csrf, 'branding-primary_color': '#ffdd00', 'mfa-mode': 'off', 'password-min_length': '10' });
    expect(refused.status).toBe(400);
    expect(fieldError(refused.text, 'branding-primary_color')).toBe(apiMessage);
    expect(refused.text).toMatch(/id="branding-primary_color" name="branding-primary_color" value="#ffdd00" aria-describedby="branding-primary_color-error colour-hint" aria-invalid="true"/);

    // Beyond the operator's SMS ceiling: 422 from both, with the same words.
    const over = await adminCall(server.issuer, admin, 'PATCH', '/tenants/demo', { settings: { sms: { monthly_budget: 9000 } } });
    expect(over.status).toBe(422);
    const overConsole = await post(browser, '/console/settings', { csrf, 'sms-monthly_budget': '9000', 'mfa-mode': 'off' });
    expect(overConsole.status).toBe(422);
    expect(fieldError(overConsole.text, 'sms-monthly_budget')).toBe(over.body.errors[0].message);

    // Not a number: the schema's refusal, as the API gives for a string.
    const text = await adminCall(server.issuer, admin, 'PATCH', '/tenants/demo', { settings: { password: { min_length: 'twelve' } } });
    const textConsole = await post(browser, '/console/settings', { csrf, 'password-min_length': 'twelve', 'mfa-mode': 'off' });
    expect(textConsole.status).toBe(400);
    expect(fieldError(textConsole.text, 'password-min_length')).toBe(text.body.errors[0].message);

    // A good change: saved through the same service, one admin.tenant_updated naming only what changed.
    const saved = await post(browser, '/console/settings', { csrf, 'password-min_length': '12', 'mfa-mode': 'off', 'branding-primary_color': '#1f5fd1', 'sms-monthly_budget': '500', 'mfa-reverify_days': '30', 'lockout-max_failures': '5', 'lockout-base_lock_seconds': '60', 'lockout-max_lock_seconds': '900', 'password-temporary_ttl_days': '7' });
    expect(saved.status).toBe(303);
    const tenant = await adminCall(server.issuer, admin, 'GET', '/tenants/demo');
    expect(tenant.body.settings.password.min_length).toBe(12);
    expect(tenant.body.settings.branding.primary_color).toBe('#1f5fd1');
    await server.gatehouse.events.flush();
    const [event] = await server.gatehouse.database.knex('events').where({ type: 'admin.tenant_updated', tenant_id: tenant.body.id }).orderBy('id', 'desc').limit(1);
    expect(event.details.settings).toEqual({ password: { min_length: 12 }, branding: { primary_color: '#1f5fd1' } });
    expect(event.actor).toMatchObject({ username: 'admin' });
    await adminCall(server.issuer, admin, 'PATCH', '/tenants/demo', { settings: { password: { min_length: 10 }, branding: { primary_color: null } } });
  });

  it('uploads a logo as the API does, and refuses what the API refuses', async () => {
    const { browser } = await consoleAs('admin', DEMO.password);
    const csrf = csrfOf(await browser.go(`${server.issuer}/console/settings`));
    const upload = async (bytes: Buffer, type: string) => {
      const form = new FormData();
      form.set('csrf', csrf);
      form.set('image', new Blob([new Uint8Array(bytes)], { type }), 'logo');
      const response = await fetch(`${server.issuer}/console/settings/logo`, { method: 'POST', redirect: 'manual', headers: { cookie: browser.cookieHeader() }, body: form });
      return { status: response.status, text: await response.text() };
    };
    const notPng = Buffer.from('GIF89a not a png');
    const api = await adminCall(server.issuer, admin, 'PUT', '/tenants/demo/logo', { image: `data:image/png;base64,${notPng.toString('base64')}` });
    expect(api.status).toBe(400);
    const refused = await upload(notPng, 'image/png');
    expect(refused.status).toBe(400);
    expect(fieldError(refused.text, 'logo')).toBe(api.body.errors[0].message);
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    expect((await upload(png, 'image/png')).status).toBe(303);
    expect((await adminCall(server.issuer, admin, 'GET', '/tenants/demo')).body.settings.branding.logo_version).toEqual(expect.any(Number));
  });

  it('speaks the reader\'s language, and says so in <html lang>', async () => {
    const { browser } = await consoleAs('admin', DEMO.password);
    for (const [language, title] of [['de', 'Einstellungen'], ['es', 'Ajustes'], ['fr', 'Paramètres']] as const) {
      const response = await fetch(`${server.issuer}/console/settings`, { headers: { cookie: browser.cookieHeader(), 'accept-language': language } });
      const page = await response.text();
      expect(page).toContain(`<html lang="${language}">`);
      expect(page).toContain(`<h1>${title}</h1>`);
    }
  });

  it('keeps settings and clients from staff, as the API does, and out of their navigation', async () => {
    const { browser, page } = await consoleAs('sam-staff', STAFF_PASSWORD);
    expect(page).not.toMatch(/href="\/console\/settings"/);
    expect(page).not.toMatch(/href="\/console\/clients"/);
    for (const path of ['/console/settings', '/console/clients', '/console/clients/new']) {
      await browser.go(`${server.issuer}${path}`);
      expect(browser.lastStatus).toBe(403);
    }
    expect((await post(browser, '/console/settings', { csrf: csrfOf(page), 'mfa-mode': 'required' })).status).toBe(403);
    expect((await post(browser, '/console/clients', { csrf: csrfOf(page), kind: 'mobile', name: 'Sneaky' })).status).toBe(403);
    expect((await adminCall(server.issuer, admin, 'GET', '/tenants/demo')).body.settings.mfa.mode).toBe('off');
  });

  it('registers a client as the API does, shows its secret once, and rotates it only with a fresh password', async () => {
    const { browser } = await consoleAs('admin', DEMO.password);
    const csrf = csrfOf(await browser.go(`${server.issuer}/console/clients/new`));
    // A web app with a plain-http redirect URI: the same refusal from both, at the field.
    const api = await adminCall(server.issuer, admin, 'POST', '/tenants/demo/clients', { kind: 'web', name: 'Shop', redirect_uris: ['http://shop.example.com/cb'] });
    expect(api.status).toBe(400);
    const refused = await post(browser, '/console/clients', { csrf, kind: 'web', name: 'Shop', redirect_uris: 'http://shop.example.com/cb', scopes: '' });
    expect(refused.status).toBe(400);
    expect(fieldError(refused.text, 'redirect_uris')).toBe(api.body.errors[0].message);

    const created = await post(browser, '/console/clients', { csrf, kind: 'web', name: 'Shop', redirect_uris: 'https://shop.example.com/cb', scopes: '' });
    expect(created.status).toBe(200);
    const secret = /<pre class="secret"[^>]*>([^<]+)<\/pre>/.exec(created.text)![1]!;
    const clientId = /<code>(gh_[^<]+)<\/code>/.exec(created.text)![1]!;
    expect(created.text).toMatch(/shown this once/);
    const clientPage = await browser.go(`${server.issuer}/console/clients/${clientId}`);
    expect(clientPage).not.toContain(secret);
    expect(clientPage).toMatch(/Current secret<\/strong>\s*<span class="muted">made [^·]+· never used/);
    expect((await adminCall(server.issuer, admin, 'GET', `/tenants/demo/clients/${clientId}`)).body.secrets).toHaveLength(1);

    // Rotating with a password older than 5 minutes: refused, nothing rotated.
    clockOffset = 6 * 60_000;
    try {
      const stale = await post(browser, `/console/clients/${clientId}/secrets`, { csrf, overlap_days: '7' });
      expect(stale.status).toBe(403);
      await server.gatehouse.events.flush();
      expect(await server.gatehouse.database.knex('events').where({ client_id: clientId, type: 'admin.client_secret_rotated' })).toHaveLength(0);
      await reauthenticate(browser, 'admin', `/console/clients/${clientId}`);
      const rotated = await post(browser, `/console/clients/${clientId}/secrets`, { csrf, overlap_days: '7' });
      expect(rotated.status).toBe(200);
      const newSecret = /<pre class="secret"[^>]*>([^<]+)<\/pre>/.exec(rotated.text)![1]!;
      expect(newSecret).not.toBe(secret);
      expect(await browser.go(`${server.issuer}/console/clients/${clientId}`)).not.toContain(newSecret);
      await server.gatehouse.events.flush();
      const [event] = await server.gatehouse.database.knex('events').where({ client_id: clientId, type: 'admin.client_secret_rotated' });
      expect(event.actor).toMatchObject({ username: 'admin' });
      expect(JSON.stringify(event)).not.toContain(newSecret);
    } finally {
      clockOffset = 0;
    }
  });

  it('lists the apps a user is signed in to per device, and signs them out of one app only with a fresh password', async () => {
    const member = await createUser(server.issuer, operator, { username: 'dana-devices', password: STAFF_PASSWORD });
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    await signInWithCode(web, { username: 'dana-devices', password: STAFF_PASSWORD, redirectUri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid offline_access' });
    await server.gatehouse.events.flush();
    const { browser } = await consoleAs('admin', DEMO.password);
    const userPage = await browser.go(`${server.issuer}/console/users/${member.id}`);
    expect(userPage).toMatch(/<strong>Demo web app<\/strong>\s*<ul>\s*<li>[^<]+ — last used just now<\/li>/);
    const csrf = csrfOf(userPage);

    clockOffset = 6 * 60_000;
    try {
      const stale = await post(browser, `/console/users/${member.id}/apps/${DEMO.web.clientId}/sign-out`, { csrf });
      expect(stale.status).toBe(403);
      expect((await adminCall(server.issuer, admin, 'GET', `/tenants/demo/users/${member.id}/sessions`)).body.items).toHaveLength(1);
      await reauthenticate(browser, 'admin', `/console/users/${member.id}`);
      const done = await post(browser, `/console/users/${member.id}/apps/${DEMO.web.clientId}/sign-out`, { csrf });
      expect(done.status).toBe(303);
      expect(done.location).toMatch(/done=app-signed-out$/);
    } finally {
      clockOffset = 0;
    }
    expect((await adminCall(server.issuer, admin, 'GET', `/tenants/demo/users/${member.id}/sessions`)).body.items).toHaveLength(0);
    await server.gatehouse.events.flush();
    const [event] = await server.gatehouse.database.knex('events').where({ user_id: member.id, type: 'admin.user_signed_out' });
    expect(event).toMatchObject({ client_id: DEMO.web.clientId, actor: expect.objectContaining({ username: 'admin' }) });
    // The API's own per-app sign-out answers alike: nothing left to sign out of is 404.
    expect((await adminCall(server.issuer, admin, 'DELETE', `/tenants/demo/users/${member.id}/sessions/${DEMO.web.clientId}`)).status).toBe(404);
  });
});
