import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { HttpBrowser } from '../helpers/browserless.js';
import type { RunningProcess } from '../helpers/child-process.js';
import { fullestStorage, freePort, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';
import { runExample } from './example-app.js';

/**
 * examples/web-app/server.mjs against a running Gatehouse, registered as docs/integrating/web-app.md
 * says; a person signs in through it with the hosted login form, posted as a browser would.
 */
describe('the web app example', () => {
  let server: TestGatehouse;
  let operator: string;
  let app: RunningProcess;
  let appUrl: string;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV });
    operator = await operatorToken(server.issuer);
    const port = await freePort();
    appUrl = `http://localhost:${port}`;
    const registered = await adminCall(server.issuer, operator, 'POST', '/tenants/demo/clients', {
      kind: 'web',
      name: 'Example web app',
      redirect_uris: [`${appUrl}/callback`],
      post_logout_redirect_uris: [`${appUrl}/`],
    });
    expect(registered.status).toBe(201);
    app = runExample('web-app/server.mjs', [], { GATEHOUSE: server.issuer, CLIENT_ID: registered.body.client_id, CLIENT_SECRET: registered.body.client_secret, PORT: String(port) });
    await app.nextLine(/listening on/);
  });

  afterAll(async () => {
    await app?.stop();
    await server?.stop();
  });

  it('signs a person in, refreshes, and after a password change elsewhere asks them to sign in again', async () => {
    const browser = new HttpBrowser();
    const login = await browser.go(`${appUrl}/login`);
    const home = await browser.go(new URL(HttpBrowser.formAction(login, /\/login$/), server.issuer).toString(), { form: { username: 'alice', password: 'gatehouse-demo' } });
    expect(home).toContain('Signed in as alice (role member)');

    expect(await browser.go(`${appUrl}/refresh`)).toContain('Tokens refreshed');

    const users = await adminCall(server.issuer, operator, 'GET', '/tenants/demo/users?q=alice');
    expect((await adminCall(server.issuer, operator, 'PUT', `/tenants/demo/users/${users.body.items[0].id}/password`, { password: 'copper-kettle-in-the-rain' })).status).toBe(200);

    const refused = await browser.go(`${appUrl}/refresh`);
    expect(browser.lastStatus).toBe(401);
    expect(refused).toContain('the password was changed by an administrator; sign in again');
    expect(await browser.go(`${appUrl}/`)).toContain('Not signed in');
  });

  it('signs out of Gatehouse too and comes back to the app', async () => {
    const browser = new HttpBrowser();
    const login = await browser.go(`${appUrl}/login`);
    await browser.go(new URL(HttpBrowser.formAction(login, /\/login$/), server.issuer).toString(), { form: { username: 'admin', password: 'gatehouse-demo' } });
    const confirm = await browser.go(`${appUrl}/logout`);
    // Gatehouse asks before signing out; the person confirms.
    const back = await browser.go(new URL(HttpBrowser.formAction(confirm), server.issuer).toString(), { form: { ...HttpBrowser.hiddenInputs(confirm), logout: 'yes' } });
    expect(back).toContain('Not signed in');
    // The Gatehouse session ended too: signing in again asks for the password.
    expect(await browser.go(`${appUrl}/login`)).toMatch(/<form[^>]*action="[^"]*\/login"/);
  });
});
