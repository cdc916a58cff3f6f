import { createHash, randomBytes } from 'node:crypto';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, createUser, operatorToken } from './admin-api.js';
import { HttpBrowser } from './browserless.js';
import { verifyJwt } from './jwt.js';
import { LogoutReceiver } from './logout-receiver.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from './test-gatehouse.js';

/** The end-user the conformance suite signs in as (its default login_hint is buffy@…). */
export const BUFFY = {
  username: 'buffy',
  password: 'stake-and-garlic-1997',
  name: 'Buffy Anne Summers',
  given_name: 'Buffy',
  family_name: 'Summers',
  email: 'buffy@sunnydale.example',
  phone: '+14155550123',
  locale: 'en-US',
  zoneinfo: 'America/Los_Angeles',
};

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri: string;
  end_session_endpoint: string;
  [key: string]: unknown;
}

export interface RegisteredClient {
  id: string;
  secret: string;
  auth: 'client_secret_basic' | 'client_secret_post';
}

export interface TokenResponse {
  status: number;
  body: { access_token?: string; id_token?: string; refresh_token?: string; token_type?: string; expires_in?: number; error?: string; error_description?: string; scope?: string };
}

/**
 * Gatehouse set up the way the OpenID Foundation's conformance suite expects of an OP under
 * test with a static client: a web client per authentication method, registered through the
 * admin API with the suite's redirect, post-logout and back-channel logout URIs (PKCE off: the
 * Basic OP plan sends none), and the end-user the suite signs in as. The client side mirrors
 * the suite's: plain HTTP requests built by hand and every response checked as it checks them.
 */
export class ConformanceSuite {
  server!: TestGatehouse;
  issuer = '';
  discovery!: Discovery;
  /** The suite's own callback host: takes the back-channel logout tokens. */
  readonly rp = new LogoutReceiver();
  basic!: RegisteredClient;
  post!: RegisteredClient;
  userId = '';
  private operator = '';

  get base(): string {
    return this.rp.url.replace('/backchannel-logout', '/test/a/gatehouse');
  }
  get redirectUri(): string {
    return `${this.base}/callback`;
  }
  get postLogoutRedirectUri(): string {
    return `${this.base}/post_logout_redirect`;
  }

  async start(): Promise<this> {
    await this.rp.start();
    this.server = await startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV });
    this.issuer = this.server.issuer;
    this.operator = await operatorToken(this.issuer);
    this.discovery = (await (await fetch(`${this.issuer}/.well-known/openid-configuration`)).json()) as Discovery;
    this.basic = await this.register('client_secret_basic');
    this.post = await this.register('client_secret_post');
    this.userId = (await createUser(this.issuer, this.operator, { ...BUFFY, tenant: 'demo' })).id;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.rp.stop();
  }

  private async register(auth: RegisteredClient['auth']): Promise<RegisteredClient> {
    const created = await adminCall(this.issuer, this.operator, 'POST', `/tenants/${DEMO.tenant.slug}/clients`, {
      kind: 'web',
      name: `Conformance suite (${auth})`,
      redirect_uris: [this.redirectUri],
      post_logout_redirect_uris: [this.postLogoutRedirectUri],
      backchannel_logout_uri: `${this.base}/backchannel_logout`,
      token_endpoint_auth_method: auth,
      require_pkce: false,
      scopes: ['openid', 'profile', 'email', 'phone', 'offline_access'],
    });
    if (created.status !== 201) throw new Error(`registering the suite's client answered ${created.status}: ${JSON.stringify(created.body)}`);
    return { id: created.body.client_id, secret: created.body.client_secret, auth };
  }

  /** An authorization request as the suite builds it: code flow, state and nonce, no PKCE. */
  authorizationUrl(params: Record<string, string | undefined> = {}, client = this.basic): string {
    const all: Record<string, string | undefined> = { client_id: client.id, redirect_uri: this.redirectUri, scope: 'openid', state: random(), nonce: random(), response_type: 'code', ...params };
    const query = new URLSearchParams(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return `${this.discovery.authorization_endpoint}?${query}`;
  }

  /**
   * Sends the browser to `url` and signs in as buffy if the login page comes; returns where the
   * browser was sent back to the suite (or the page it stopped on), and whether it asked for the
   * password.
   */
  async authorize(browser: HttpBrowser, url: string, options: { method?: 'GET' | 'POST' } = {}): Promise<{ callback?: URL; page: string; sawLogin: boolean }> {
    let page: string;
    if (options.method === 'POST') {
      const [endpoint, query] = url.split('?') as [string, string];
      page = await browser.go(endpoint, { form: Object.fromEntries(new URLSearchParams(query)) }, this.base);
    } else page = await browser.go(url, {}, this.base);
    let sawLogin = false;
    if (!page.startsWith(this.base) && /action="[^"]*\/login"/.test(page)) {
      sawLogin = true;
      page = await browser.go(new URL(HttpBrowser.formAction(page, /login$/), this.issuer).toString(), { form: { username: BUFFY.username, password: BUFFY.password } }, this.base);
    }
    return { callback: page.startsWith(this.base) ? new URL(page) : undefined, page, sawLogin };
  }

  /** The token request, authenticated as the client registered. */
  async token(params: Record<string, string>, client = this.basic): Promise<TokenResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = new URLSearchParams(params);
    if (client.auth === 'client_secret_basic') headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
    else {
      body.set('client_id', client.id);
      body.set('client_secret', client.secret);
    }
    const response = await fetch(this.discovery.token_endpoint, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as TokenResponse['body'] };
  }

  async exchange(callback: URL, client = this.basic): Promise<TokenResponse> {
    return this.token({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: this.redirectUri }, client);
  }

  /**
   * The suite's ID token checks (OpenID Connect Core §3.1.3.7): signature with a key of the
   * JWKS, iss, aud, azp, exp, iat, nonce when sent (absent when not), at_hash when present.
   */
  async validateIdToken(idToken: string, expected: { nonce?: string; accessToken?: string; client?: RegisteredClient; refreshing?: Record<string, unknown> }): Promise<Record<string, unknown>> {
    const { header, claims } = await verifyJwt(this.issuer, idToken);
    const client = expected.client ?? this.basic;
    const now = Math.floor(Date.now() / 1000);
    const failures: string[] = [];
    if (typeof header.kid !== 'string') failures.push('no kid in the header');
    if (header.alg !== 'RS256') failures.push(`alg ${String(header.alg)} is not the default RS256`);
    if (claims.iss !== this.issuer) failures.push(`iss ${String(claims.iss)}`);
    if (!(claims.aud === client.id || (Array.isArray(claims.aud) && claims.aud.includes(client.id)))) failures.push('aud is not the client');
    if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp !== client.id) failures.push('azp');
    if (typeof claims.sub !== 'string' || !claims.sub) failures.push('sub');
    if (typeof claims.exp !== 'number' || claims.exp <= now) failures.push('exp');
    if (typeof claims.iat !== 'number' || claims.iat > now + 5) failures.push('iat');
    if (expected.refreshing) {
      // Core §12.2: a refreshed ID token has no nonce, or the one of the first.
      if (claims.nonce !== undefined && claims.nonce !== expected.refreshing.nonce) failures.push('nonce differs from the first ID token');
    } else if (expected.nonce !== undefined && claims.nonce !== expected.nonce) failures.push('nonce differs');
    else if (expected.nonce === undefined && claims.nonce !== undefined) failures.push('a nonce nobody sent');
    if (claims.at_hash !== undefined && expected.accessToken !== undefined) {
      const digest = createHash('sha256').update(expected.accessToken).digest();
      if (claims.at_hash !== digest.subarray(0, 16).toString('base64url')) failures.push('at_hash');
    }
    if (failures.length) throw new Error(`ID token fails the suite's checks: ${failures.join(', ')}`);
    return claims;
  }

  /** The suite's happy flow (oidcc-server): authorize, exchange the code, check every answer. */
  async happyFlow(browser: HttpBrowser, params: Record<string, string | undefined> = {}, client = this.basic) {
    const url = this.authorizationUrl(params, client);
    const sent = new URL(url).searchParams;
    const result = await this.authorize(browser, url);
    if (!result.callback) throw new Error(`the OP did not come back to the suite:\n${result.page.slice(0, 1500)}`);
    const callback = result.callback;
    if (callback.searchParams.get('error')) throw new Error(`authorization error: ${callback.searchParams.get('error')}: ${callback.searchParams.get('error_description')}`);
    if (callback.searchParams.get('state') !== sent.get('state')) throw new Error('state differs');
    if (callback.searchParams.get('iss') !== this.issuer) throw new Error('iss of the authorization response differs (RFC 9207)');
    const tokens = await this.exchange(callback, client);
    if (tokens.status !== 200) throw new Error(`token endpoint answered ${tokens.status}: ${JSON.stringify(tokens.body)}`);
    if (tokens.body.token_type?.toLowerCase() !== 'bearer' || !tokens.body.access_token || !tokens.body.id_token) throw new Error(`token response: ${JSON.stringify(tokens.body)}`);
    const claims = await this.validateIdToken(tokens.body.id_token, { nonce: sent.get('nonce') ?? undefined, accessToken: tokens.body.access_token, client });
    return { callback, tokens: tokens.body, claims, sawLogin: result.sawLogin };
  }

  async userinfo(accessToken: string, how: 'get' | 'post-header' | 'post-body'): Promise<{ status: number; contentType: string | null; body: Record<string, unknown> }> {
    const endpoint = this.discovery.userinfo_endpoint;
    const response =
      how === 'get'
        ? await fetch(endpoint, { headers: { authorization: `Bearer ${accessToken}` } })
        : how === 'post-header'
          ? await fetch(endpoint, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } })
          : await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token: accessToken }) });
    return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
  }

  /** The end-session request of the RP-initiated logout plan, confirmed as the person would. */
  async logout(browser: HttpBrowser, params: Record<string, string | undefined>): Promise<{ landed?: URL; page: string }> {
    const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
    let page = await browser.go(`${this.discovery.end_session_endpoint}${query.size ? `?${query}` : ''}`, {}, this.base);
    if (!page.startsWith(this.base) && /name="logout"/.test(page)) {
      page = await browser.go(new URL(HttpBrowser.formAction(page), this.issuer).toString(), { form: { ...HttpBrowser.hiddenInputs(page), logout: 'yes' } }, this.base);
    }
    return { landed: page.startsWith(this.base) ? new URL(page) : undefined, page };
  }
}

export function random(): string {
  return randomBytes(12).toString('base64url');
}
