import { OPERATOR_ENV, adminCall, createUser, operatorToken } from './admin-api.js';
import { HttpBrowser } from './browserless.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from './test-gatehouse.js';

/** The person who signs in through each third-party relying party. */
export const PERSON = { username: 'rp-person', password: 'lantern-over-harbour-9', name: 'Robin Person', email: 'robin@clinic.example' };

/**
 * Gatehouse as a developer integrating an app finds it: running, with a user, and a client the
 * tenant administrator registers through the admin API with the settings the relying party's
 * own documentation asks for. Nothing else is shared with the relying party.
 */
export class ThirdPartyHarness {
  server!: TestGatehouse;
  issuer = '';
  userId = '';
  private operator = '';

  async start(): Promise<this> {
    this.server = await startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV });
    this.issuer = this.server.issuer;
    this.operator = await operatorToken(this.issuer);
    this.userId = (await createUser(this.issuer, this.operator, { ...PERSON, tenant: 'demo' })).id;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  async register(client: Record<string, unknown>): Promise<{ client_id: string; client_secret?: string }> {
    const created = await this.admin('POST', '/tenants/demo/clients', client);
    if (created.status !== 201) throw new Error(`registering the client answered ${created.status}: ${JSON.stringify(created.body)}`);
    return created.body;
  }

  admin(method: string, path: string, body?: unknown) {
    return adminCall(this.issuer, this.operator, method, path, body);
  }

  /** Signs the person out everywhere, as an administrator would. */
  async signOutEverywhere() {
    return this.admin('POST', `/tenants/demo/users/${this.userId}/sign-out`);
  }

  /** If `page` is Gatehouse's login page, signs in there; returns the page the browser ends on. */
  async signInIfAsked(browser: HttpBrowser, page: string, stopAt?: string): Promise<string> {
    if (!/action="[^"]*\/login"/.test(page)) return page;
    return browser.go(new URL(HttpBrowser.formAction(page, /login$/), this.issuer).toString(), { form: { username: PERSON.username, password: PERSON.password } }, stopAt);
  }

  /** If `page` asks to confirm a sign-out, confirms; returns the page the browser ends on. */
  async confirmSignOut(browser: HttpBrowser, page: string, stopAt?: string): Promise<string> {
    if (!/name="logout"/.test(page)) return page;
    return browser.go(new URL(HttpBrowser.formAction(page), this.issuer).toString(), { form: { ...HttpBrowser.hiddenInputs(page), logout: 'yes' } }, stopAt);
  }
}
