import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CookieJar } from './cookie-jar.js';

/** The relying party a browser signs in to, and where the provider's endpoints are. */
export interface SignInClient {
  origin: string;
  authorizationPath: string;
  tokenPath: string;
  clientId: string;
  redirectUri: string;
  scope: string;
}

export interface Credentials {
  username: string;
  password: string;
}

/** One HTTP request of the flow, ready for any HTTP client (autocannon, fetch). */
export interface HttpHop {
  method: 'GET' | 'POST';
  /** Path and query on the client's origin. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** The parts of a response the flow looks at. */
export interface HopResponse {
  status: number;
  location?: string;
  setCookies: readonly string[];
  body: string;
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  token_type: string;
}

export type FlowStep =
  | { state: 'continue' }
  | { state: 'signed-in'; tokens: TokenResponse; ms: number }
  | { state: 'failed'; reason: string; ms: number };

/** Whether each sign-in comes from a new browser, or again from the same one (see SignInFlow). */
export type BrowserKind = 'new' | 'returning';

// A flow that has not reached the callback after this many requests is looping.
const MAX_HOPS = 15;

/**
 * A browser without JavaScript signing in with authorization code + PKCE, one request at a time:
 * authorization request → redirects (cookies kept) → login page → POST of the login form →
 * redirects → callback with `?code=` → the app's code exchange at the token endpoint.
 *
 * It knows nothing of HTTP clients: `request()` says what to send next, `receive()` takes the
 * answer. So the same flow runs inside autocannon (the sign-in benchmark) and over fetch (to
 * obtain refresh tokens). No sign-in starts with the previous one's session cookie: it would
 * skip the password step.
 */
export class SignInFlow {
  private readonly jar = new CookieJar();
  private next!: { hop: Omit<HttpHop, 'headers'>; kind: 'browser' | 'token' };
  private verifier = '';
  private state = '';
  private startedAt = 0;
  private hops = 0;

  /**
   * `browser`: `new` starts every sign-in with no cookies at all; `returning` keeps the cookies
   * that live 30 days or more between sign-ins (the person's own browser, whose sign-in session
   * ended), so only its first sign-in comes from a device the account has not seen.
   */
  constructor(
    private readonly client: SignInClient,
    private readonly credentials: Credentials,
    private readonly browser: BrowserKind = 'new',
  ) {
    this.restart();
  }

  /** Begins a new sign-in: as a new browser, or as the same browser after its session ended. */
  restart(): void {
    if (this.browser === 'new') this.jar.clear();
    else this.jar.keepOnlyLongLived(30);
    this.verifier = randomBytes(32).toString('base64url');
    this.state = randomBytes(16).toString('base64url');
    const query = new URLSearchParams({
      client_id: this.client.clientId,
      redirect_uri: this.client.redirectUri,
      response_type: 'code',
      scope: this.client.scope,
      // OIDC Core §11: offline_access (a refresh token) is only granted with prompt=consent.
      prompt: 'consent',
      state: this.state,
      code_challenge: createHash('sha256').update(this.verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    this.next = { hop: { method: 'GET', path: `${this.client.authorizationPath}?${query}` }, kind: 'browser' };
    this.startedAt = performance.now();
    this.hops = 0;
  }

  /** The request to send now. Calling it twice without `receive()` gives the same request. */
  request(): HttpHop {
    const { hop, kind } = this.next;
    const headers: Record<string, string> = { accept: kind === 'token' ? 'application/json' : 'text/html' };
    if (hop.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const cookie = kind === 'browser' ? this.jar.header(hop.path) : undefined;
    if (cookie) headers.cookie = cookie;
    return { ...hop, headers };
  }

  /** Takes the answer to `request()` and decides what comes next. */
  receive(response: HopResponse): FlowStep {
    const { hop, kind } = this.next;
    this.hops += 1;
    if (kind === 'browser') this.jar.store(response.setCookies, hop.path);
    if (this.hops > MAX_HOPS) return this.fail('no callback after many redirects');

    if (kind === 'token') {
      const answer = parseJson(response.body) as Partial<TokenResponse> & { error?: string };
      if (response.status === 200 && answer?.access_token) {
        return { state: 'signed-in', tokens: answer as TokenResponse, ms: performance.now() - this.startedAt };
      }
      return this.fail(`code exchange ${response.status} ${answer?.error ?? ''}`.trim());
    }

    if (response.status >= 300 && response.status < 400 && response.location) {
      const target = new URL(response.location, this.client.origin + hop.path);
      if (target.href.startsWith(this.client.redirectUri)) return this.exchangeCode(target);
      if (target.origin !== this.client.origin) return this.fail(`redirect to another origin ${target.origin}`);
      this.next = { hop: { method: 'GET', path: target.pathname + target.search }, kind: 'browser' };
      return { state: 'continue' };
    }

    // Only a page fetched by GET may be the login form: the form answering its own POST with a
    // page means the password was refused (or the form changed), and posting again would loop.
    if (response.status === 200 && hop.method === 'GET') {
      const form = loginForm(response.body);
      if (!form) return this.fail(`no login form at ${routeOf(hop.path)}`);
      const fields = new URLSearchParams({ ...form.hidden, ...this.credentials });
      const action = new URL(form.action, this.client.origin + hop.path);
      if (action.origin !== this.client.origin) return this.fail(`login form posts to another origin ${action.origin}`);
      this.next = { hop: { method: 'POST', path: action.pathname + action.search, body: fields.toString() }, kind: 'browser' };
      return { state: 'continue' };
    }
    return this.fail(`${hop.method} ${routeOf(hop.path)} ${response.status}`);
  }

  private exchangeCode(callback: URL): FlowStep {
    const code = callback.searchParams.get('code');
    if (!code) return this.fail(`callback error=${callback.searchParams.get('error') ?? 'none'}`);
    if (callback.searchParams.get('state') !== this.state) return this.fail('callback with a foreign state');
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      code_verifier: this.verifier,
      redirect_uri: this.client.redirectUri,
      client_id: this.client.clientId,
    });
    this.next = { hop: { method: 'POST', path: this.client.tokenPath, body: body.toString() }, kind: 'token' };
    return { state: 'continue' };
  }

  private fail(reason: string): FlowStep {
    return { state: 'failed', reason, ms: performance.now() - this.startedAt };
  }
}

/** The first form posting to `…/login`, with its hidden fields (a CSRF token, should one appear). */
function loginForm(html: string): { action: string; hidden: Record<string, string> } | undefined {
  for (const match of html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/gi)) {
    const action = /\baction="([^"]*)"/i.exec(match[0])?.[1];
    if (!action || !/\/login(\?|$)/.test(decodeEntities(action))) continue;
    const hidden: Record<string, string> = {};
    for (const input of match[1]!.matchAll(/<input\b[^>]*>/gi)) {
      if (!/\btype="hidden"/i.test(input[0])) continue;
      const name = /\bname="([^"]*)"/i.exec(input[0])?.[1];
      if (name) hidden[decodeEntities(name)] = decodeEntities(/\bvalue="([^"]*)"/i.exec(input[0])?.[1] ?? '');
    }
    return { action: decodeEntities(action), hidden };
  }
  return undefined;
}

function decodeEntities(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** A path with its per-flow identifiers folded, so failures of the same kind group together. */
function routeOf(path: string): string {
  return path.split('?')[0]!.replace(/\/(interaction|auth)\/[^/]+/, '/$1/:uid');
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
