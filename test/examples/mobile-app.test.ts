import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';
import { exampleResult, runExample } from './example-app.js';

/**
 * examples/mobile-app/app.mjs against a running Gatehouse: a public client registered with a
 * private-use redirect scheme as docs/integrating/mobile-app.md says; the browser part of the
 * sign-in is the hosted login form, posted as a browser would.
 */
describe('the mobile app example', () => {
  const REDIRECT = 'com.example.fieldapp:/oauth/callback';
  let server: TestGatehouse;
  let operator: string;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV });
    operator = await operatorToken(server.issuer);
    const registered = await adminCall(server.issuer, operator, 'POST', '/tenants/demo/clients', { kind: 'mobile', name: 'Example field app', redirect_uris: [REDIRECT] });
    expect(registered.status).toBe(201);
    dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-mobile-'));
    env = { GATEHOUSE: server.issuer, CLIENT_ID: registered.body.client_id, REDIRECT_URI: REDIRECT, TOKEN_FILE: path.join(dir, 'tokens.json') };
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with PKCE, refreshes with rotation, and is told why when a password change ends the sign-in', async () => {
    const app = runExample('mobile-app/app.mjs', ['sign-in'], env);
    const url = (await app.nextLine(/^Open in a browser: /)).replace('Open in a browser: ', '');
    const browser = new HttpBrowser();
    const login = await browser.go(url, {}, REDIRECT);
    const landed = await browser.go(new URL(HttpBrowser.formAction(login, /\/login$/), server.issuer).toString(), { form: { username: 'alice', password: 'gatehouse-demo' } }, REDIRECT);
    expect(landed.startsWith(REDIRECT)).toBe(true);
    app.write(landed);
    expect(await app.exitCode()).toBe(0);
    expect(app.output.join('\n')).toContain('Signed in as alice');

    for (let i = 0; i < 2; i++) {
      expect(await exampleResult('mobile-app/app.mjs', ['refresh'], env)).toEqual({ code: 0, output: expect.stringContaining('Refreshed') });
    }

    const users = await adminCall(server.issuer, operator, 'GET', '/tenants/demo/users?q=alice');
    expect((await adminCall(server.issuer, operator, 'PUT', `/tenants/demo/users/${users.body.items[0].id}/password`, { password: 'copper-kettle-in-the-rain' })).status).toBe(200);

    const refused = await exampleResult('mobile-app/app.mjs', ['refresh'], env);
    expect(refused).toEqual({ code: 2, output: 'Signed out: the password was changed by an administrator; sign in again' });
  });
});
