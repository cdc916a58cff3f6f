import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import type { GatehouseOptions } from '../../src/app/gatehouse.js';
import { OPERATOR_ENV, adminCall, createUser, operatorToken } from './admin-api.js';
import { AwsRecorder, codeIn } from './aws-recorder.js';
import { HttpBrowser } from './browserless.js';
import { discoverClient } from './relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from './test-gatehouse.js';

/**
 * A Gatehouse on the fullest storage with SES and SNS through the real AWS clients to a local
 * recorder, an operator token and the demo web client: what attack and sign-in tests start from.
 */
export class SignInHarness {
  readonly aws = new AwsRecorder();
  server!: TestGatehouse;
  issuer = '';
  operator = '';
  web!: oidc.Configuration;
  private tenantSeq = 0;

  async start(options: { env?: Record<string, string>; gatehouse?: GatehouseOptions } = {}): Promise<this> {
    const awsEnv = this.aws.useForAws(await this.aws.start());
    this.server = await startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, ...awsEnv, ...options.env }, gatehouse: options.gatehouse });
    this.issuer = this.server.issuer;
    this.operator = await operatorToken(this.issuer);
    this.web = await discoverClient(this.issuer, DEMO.web.clientId, DEMO.web.secret);
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.aws.stop();
  }

  get callback(): string {
    return `${this.issuer}${DEMO.callbackPath}`;
  }

  admin(method: string, path: string, body?: unknown) {
    return adminCall(this.issuer, this.operator, method, path, body);
  }

  /** A new tenant with these settings; returns its slug. */
  async tenant(settings: Record<string, unknown>): Promise<string> {
    const slug = `t${Date.now().toString(36)}-${++this.tenantSeq}`;
    const created = await this.admin('POST', '/tenants', { slug, name: `Clinic ${this.tenantSeq}`, settings: { country: 'US', ...settings } });
    if (created.status !== 201) throw new Error(`creating tenant answered ${created.status}`);
    return slug;
  }

  async user(tenant: string, username: string, fields: Record<string, unknown> = {}): Promise<{ id: string; password: string }> {
    const password = 'amber-lantern-42';
    const { id } = await createUser(this.issuer, this.operator, { username, tenant, email: `${username}@clinic.test`, password, ...fields });
    return { id, password };
  }

  /** Starts an authorization request in `browser` and submits the password; returns the next page. */
  async passwordStep(browser: HttpBrowser, username: string, password = 'amber-lantern-42', extra: Record<string, string> = {}): Promise<string> {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(this.web, { redirect_uri: this.callback, scope: 'openid profile', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra });
    const login = await browser.go(url.toString(), {}, this.callback);
    if (login.startsWith(this.callback) || !/action="[^"]*\/login"/.test(login)) return login;
    return browser.go(new URL(HttpBrowser.formAction(login, /login$/), this.issuer).toString(), { form: { username, password } }, this.callback);
  }

  post(browser: HttpBrowser, page: string, form: Record<string, string>, matching?: RegExp): Promise<string> {
    return browser.go(new URL(HttpBrowser.formAction(page, matching), this.issuer).toString(), { form }, this.callback);
  }

  /** The newest SMS code sent to `phone` (E.164) after the first `after` messages. */
  async latestSmsTo(phone: string, after = 0): Promise<string> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const found = this.aws.sms.slice(after).reverse().find((m) => m.phone === phone);
      if (found) return codeIn(found.message);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no SMS to ${phone}`);
  }

  /**
   * Sends the same form to `path` `count` times at once from `browser`'s cookies, without
   * following redirects: what an attacker's script does.
   */
  async inParallel(browser: HttpBrowser, path: string, forms: Record<string, string>[]): Promise<{ status: number; body: string; location: string | null }[]> {
    return Promise.all(
      forms.map(async (form) => {
        const response = await fetch(new URL(path, this.issuer), {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
          body: new URLSearchParams(form).toString(),
        });
        return { status: response.status, body: await response.text(), location: response.headers.get('location') };
      }),
    );
  }
}

/** Six digits that are not `code`. */
export function wrongCodes(code: string, count: number): string[] {
  const codes: string[] = [];
  for (let i = 0; codes.length < count; i++) {
    const candidate = String(i).padStart(6, '0');
    if (candidate !== code) codes.push(candidate);
  }
  return codes;
}
