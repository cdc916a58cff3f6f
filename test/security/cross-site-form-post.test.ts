import http from 'node:http';
import type { Browser } from 'playwright-core';
import * as oidc from 'openid-client';
import { hashClientSecret } from '../../src/domain/clients/client-secret.js';
import { ClientRepository } from '../../src/domain/clients/client.repository.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { freePort, fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * Browser hardening, in Chromium. The attacks: a page on another site auto-submits a form to
 * Gatehouse (login, forgot-password) in the person's browser; a page is framed, styled or
 * scripted from elsewhere; an interaction page is cached. And what hardening must not break:
 * the redirect back to a client on another origin after the login form is posted (Chromium
 * applies form-action to it), with and without response_mode=form_post.
 */
(chromiumAvailable() || process.env.CI ? describe : describe.skip)('cross-site form posts and the content security policy', () => {
  let server: TestGatehouse;
  let browser: Browser;
  let other: http.Server;
  let otherOrigin: string;
  const received: { method: string; url: string; body: string }[] = [];
  let attackPage = '';

  beforeAll(async () => {
    const port = await freePort();
    otherOrigin = `http://127.0.0.1:${port}`;
    // Another origin: the client's callback, and an attacker's page.
    other = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, body });
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(req.url === '/attack' ? attackPage : '<!DOCTYPE html><title>Client</title><p id="done">back at the client</p>');
      });
    });
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
    [server, browser] = await Promise.all([startTestGatehouse(fullestStorage()), launchChromium()]);
    await new ClientRepository(server.gatehouse.database.knex).upsert({
      client_id: 'elsewhere-web',
      tenant_id: null,
      kind: 'web',
      name: 'App elsewhere',
      scopes: 'openid profile',
      redirect_uris: [`${otherOrigin}/cb`],
      secret_hash: hashClientSecret('elsewhere-secret'),
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => other?.close(resolve));
  });

  async function authorizationUrl(extra: Record<string, string> = {}): Promise<string> {
    const params = new URLSearchParams({
      client_id: 'elsewhere-web',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${otherOrigin}/cb`,
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 'state-123',
      ...extra,
    });
    return `${server.issuer}/auth?${params}`;
  }

  async function signInAt(url: string) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const loginPage = await page.goto(url);
    expect(loginPage!.headers()['cache-control']).toBe('no-store');
    // The inline stylesheet is allowed by its hash: the page is styled.
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(244, 245, 247)');
    await page.locator('input[name=username]').fill('alice');
    await page.locator('input[name=password]').fill(DEMO.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${otherOrigin}/cb**`, { timeout: 10_000 });
    await page.locator('#done').waitFor();
    await context.close();
    return violations;
  }

  it('sends the strict policy and the other headers on the pages', async () => {
    const response = await fetch(await authorizationUrl(), { redirect: 'manual' });
    const page = await fetch(new URL(response.headers.get('location')!, server.issuer), { headers: { cookie: response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') } });
    const csp = page.headers.get('content-security-policy')!;
    // Scripts only from Gatehouse itself (the passkey enhancement), never inline or eval'd.
    for (const directive of ["default-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "img-src 'self' data:", "script-src 'self'"]) expect(csp).toContain(directive);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toMatch(/style-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain(`form-action 'self' ${otherOrigin}`);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('strict-transport-security')).toBeNull();
  });

  it('lets the login form redirect back to a client on another origin', async () => {
    received.length = 0;
    expect(await signInAt(await authorizationUrl())).toEqual([]);
    const callback = new URL(received.find((r) => r.url.startsWith('/cb'))!.url, otherOrigin);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe('state-123');
  });

  it('lets the provider post the code to a client on another origin (response_mode=form_post)', async () => {
    received.length = 0;
    expect(await signInAt(await authorizationUrl({ response_mode: 'form_post' }))).toEqual([]);
    const callback = received.find((r) => r.url.startsWith('/cb'))!;
    expect(callback.method).toBe('POST');
    expect(new URLSearchParams(callback.body).get('code')).toBeTruthy();
  });

  it('refuses a login form auto-submitted by a page on another site', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(await authorizationUrl());
    const action = await page.locator('form').first().getAttribute('action');
    attackPage = `<!DOCTYPE html><form method="post" action="${server.issuer}${action}"><input name="username" value="alice"><input name="password" value="${DEMO.password}"></form><script>document.forms[0].submit()</script>`;
    const events = async () => Number((await server.gatehouse.database.knex('events').where({ type: 'login.succeeded' }).count<{ count: string }[]>('* as count'))[0]!.count);
    await server.gatehouse.events.flush();
    const before = await events();
    await page.goto(`${otherOrigin}/attack`);
    await page.waitForURL(`${server.issuer}/**`);
    await expect(page.locator('h1').textContent()).resolves.toMatch(/sent from another site/);
    expect(await page.evaluate(() => document.body.innerText)).toMatch(/only accepts its forms from its own pages/);
    await server.gatehouse.events.flush();
    expect(await events()).toBe(before);
    await context.close();
  });

  it('refuses a forgot-password form auto-submitted by a page on another site', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    attackPage = `<!DOCTYPE html><form method="post" action="${server.issuer}/forgot-password"><input name="username" value="alice"></form><script>document.forms[0].submit()</script>`;
    const response = page.waitForResponse((r) => r.url().startsWith(`${server.issuer}/forgot-password`));
    await page.goto(`${otherOrigin}/attack`);
    expect((await response).status()).toBe(403);
    await expect(page.locator('h1').textContent()).resolves.toMatch(/sent from another site/);
    await context.close();
  });
});

describe('hardening over https', () => {
  let server: TestGatehouse;

  beforeAll(async () => {
    const port = await freePort();
    server = await startTestGatehouse(fullestStorage(), { env: { PORT: String(port), ISSUER: `https://localhost:${port}` } });
  });
  afterAll(async () => server?.stop());

  it('names cookies with __Host- (or __Secure- where a path is needed), marks them Secure, and sends HSTS', async () => {
    const local = `http://127.0.0.1:${new URL(server.issuer).port}`;
    const mobile = new URLSearchParams({ client_id: DEMO.mobile.clientId, response_type: 'code', scope: 'openid', redirect_uri: `${server.issuer}${DEMO.callbackPath}`, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    const start = await fetch(`${local}/auth?${mobile}`, { redirect: 'manual' });
    expect(start.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    const device = await fetch(`${local}/device`);
    const cookies = [...start.headers.getSetCookie(), ...device.headers.getSetCookie()];
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/^__(Host|Secure)-/);
      expect(cookie).toMatch(/; secure/i);
      if (cookie.startsWith('__Host-')) {
        expect(cookie).toMatch(/; path=\/(;|$)/);
        expect(cookie).not.toMatch(/domain=/i);
      }
    }
    expect(cookies.some((c) => c.startsWith('__Host-session='))).toBe(true);
  });
});
