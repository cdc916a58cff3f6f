import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { interactionPolicy, type Adapter, type Configuration, type InteractionResults, type JWK, type KoaContextWithOIDC } from 'oidc-provider';

/**
 * "Microsoft Entra ID" for tests: one loopback HTTP server with one oidc-provider per directory
 * (tenant), mounted as Entra mounts them, so each directory's issuer is
 * `http://127.0.0.1:<port>/<tid>/v2.0` and its discovery document sits under it.
 *
 * What an upstream sign-in looks like here:
 * - the login page (at `/<tid>/v2.0/interaction/<uid>`) has one form: "Username", a "Used MFA"
 *   checkbox, "Sign in" and "Cancel". A username of the directory (compared case-insensitively,
 *   as Entra compares UPNs) signs in with `amr` `['pwd']`, or `['pwd', 'mfa']` when the box was
 *   ticked; an unknown one shows the form again with "Unknown user"; Cancel sends the relying
 *   party `error=access_denied`.
 * - consent is never asked: the consent step is granted in code, without a page.
 * - the directory remembers the sign-in (a session cookie), as Entra does: a second authorization
 *   request in the same browser comes straight back unless it asks `prompt=login` (or
 *   `prompt=select_account`, which shows the same form).
 * - RP-initiated logout (`end_session_endpoint`): with a signed-in session the directory shows a
 *   page whose one form posts to the provider's confirm endpoint, with a "Yes, sign me out" button
 *   (no JavaScript). Set `autoConfirmLogout` to have the page submit itself on load (JavaScript,
 *   as Chromium runs and `HttpBrowser` imitates). Without a session there is no page: the provider
 *   itself answers with a self-submitting form. Either way the browser ends at
 *   `post_logout_redirect_uri` (with `state`), and the directory's session is gone.
 *
 * ID tokens carry the claims themselves (not only userinfo), by scope as Entra gives them:
 * `openid`: sub (= oid here; Entra's is pairwise per app), tid; `profile`: oid,
 * preferred_username (= username), name; `email`: email, email_verified (each only when the
 * user has it); and always amr.
 */
export interface UpstreamUser {
  oid: string;
  username: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface UpstreamDirectory {
  tid: string;
  users: UpstreamUser[];
}

export interface UpstreamClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
}

export interface UpstreamIdpOptions {
  directories: UpstreamDirectory[];
  /** Registered in every directory; client_secret_basic and client_secret_post both work. */
  clients: UpstreamClient[];
}

export interface UpstreamIdp {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** `http://127.0.0.1:<port>/<tid>/v2.0` */
  issuerOf(tid: string): string;
  /** `http://127.0.0.1:<port>/<tid>/v2.0/.well-known/openid-configuration` */
  discoveryUrlOf(tid: string): string;
  /** Parameters of every authorization request received (any directory), in order. */
  readonly authorizations: Array<Record<string, string>>;
  /** Parameters of every end_session (RP-initiated logout) request received, in order. */
  readonly logouts: Array<Record<string, string>>;
  /** While true, every directory's token endpoint answers 500. */
  failTokenEndpoint: boolean;
  /** While true, the logout confirmation page submits itself (JavaScript) instead of waiting for "Yes, sign me out". */
  autoConfirmLogout: boolean;
  close(): Promise<void>;
}

const BODY_LIMIT = 64 * 1024;

export async function startUpstreamIdp(options: UpstreamIdpOptions): Promise<UpstreamIdp> {
  const tids = new Set<string>();
  for (const { tid } of options.directories) {
    if (!/^[A-Za-z0-9._~-]+$/.test(tid)) throw new Error(`a tid is one path segment: ${JSON.stringify(tid)}`);
    if (tids.has(tid)) throw new Error(`directory ${tid} is configured twice`);
    tids.add(tid);
  }

  const directories = new Map<string, { provider: Provider; handle: ReturnType<Provider['callback']>; users: UpstreamUser[] }>();
  const server = http.createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendHtml(res, 500, page('Error', `<h1>Something went wrong</h1><pre>${escapeHtml(error instanceof Error ? error.message : String(error))}</pre>`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const idp: UpstreamIdp = {
    origin,
    issuerOf: (tid) => `${origin}/${tid}/v2.0`,
    discoveryUrlOf: (tid) => `${origin}/${tid}/v2.0/.well-known/openid-configuration`,
    authorizations: [],
    logouts: [],
    failTokenEndpoint: false,
    autoConfirmLogout: false,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Browsers keep connections open; they would hold close() up.
        server.closeAllConnections();
      }),
  };

  // One signing key for all directories, as Entra signs every tenant's tokens with common keys.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: 'upstream-idp-1', alg: 'RS256', use: 'sig' };
  const memoryAdapter = await loadMemoryAdapterFactory();

  for (const directory of options.directories) {
    const provider = createDirectoryProvider(idp, directory, options.clients, signingKey, memoryAdapter?.());
    directories.set(directory.tid, { provider, handle: provider.callback(), users: directory.users });
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const match = /^\/([^/]+)\/v2\.0(\/.*)?$/.exec(url.pathname);
    const directory = match ? directories.get(match[1]!) : undefined;
    if (!match || !directory) {
      sendHtml(res, 404, page('Not found', '<h1>No such directory</h1>'));
      return;
    }
    const tid = match[1]!;
    const rest = match[2] ?? '/';
    const interaction = /^\/interaction\/([^/]+)$/.exec(rest);
    if (interaction) {
      await handleInteraction(tid, directory.provider, directory.users, interaction[1]!, req, res);
      return;
    }
    if (rest === '/token' && idp.failTokenEndpoint) {
      req.resume();
      res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error: 'server_error', error_description: 'The token endpoint is failing (failTokenEndpoint).' }));
      return;
    }
    // Mounted the way express mounts an app: the provider reads the mount path from
    // originalUrl and the rest of the path from url, and writes the prefix into every URL.
    (req as http.IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
    req.url = `${rest}${url.search}`;
    await directory.handle(req, res);
  }

  return idp;
}

type Signing = JWK & { kid: string };

function createDirectoryProvider(idp: UpstreamIdp, directory: UpstreamDirectory, clients: UpstreamClient[], signingKey: Signing, adapter: ((model: string) => Adapter) | undefined): Provider {
  const { tid } = directory;
  const byOid = new Map(directory.users.map((user) => [user.oid, user]));
  // Unique per server and directory: browsers do not tell ports apart, and Gatehouse on the same
  // 127.0.0.1 uses the library's default cookie names.
  const cookiePrefix = `upstream_${new URL(idp.origin).port}_${tid.replace(/[^A-Za-z0-9]/g, '_')}`;
  const policy = interactionPolicy.base();
  // Entra accepts prompt=select_account; here it shows the same sign-in form.
  policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 0);

  const configuration: Configuration = {
    ...(adapter ? { adapter: adapter as unknown as Configuration['adapter'] } : {}),
    jwks: { keys: [signingKey] },
    clients: clients.map((client) => ({
      client_id: client.client_id,
      client_secret: client.client_secret,
      redirect_uris: client.redirect_uris,
      post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // Either secret method is accepted at the token endpoint whatever is registered here.
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    findAccount: async (_ctx, sub) => {
      const user = byOid.get(sub);
      if (!user) return undefined;
      return {
        accountId: user.oid,
        claims: async () => ({
          sub: user.oid,
          tid,
          oid: user.oid,
          preferred_username: user.username,
          ...(user.name !== undefined ? { name: user.name } : {}),
          ...(user.email !== undefined ? { email: user.email } : {}),
          ...(user.email_verified !== undefined ? { email_verified: user.email_verified } : {}),
        }),
      };
    },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      // amr under openid: a standalone `amr: null` is only honoured when the claims parameter asks for it.
      openid: ['sub', 'tid', 'amr'],
      profile: ['oid', 'preferred_username', 'name'],
      email: ['email', 'email_verified'],
    },
    // The claims of the granted scopes go into the ID token itself, as Entra's do.
    conformIdTokenClaims: false,
    cookies: {
      keys: ['upstream-idp-fixture-cookie-key'],
      names: { session: `${cookiePrefix}_session`, interaction: `${cookiePrefix}_interaction`, resume: `${cookiePrefix}_resume` },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          // One form: the provider's (confirm endpoint + xsrf), with logout=yes so the whole
          // directory session ends, as Entra's sign-out does.
          const confirmForm = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/><button type="submit" autofocus>Yes, sign me out</button></form>');
          const script = idp.autoConfirmLogout ? "<script>document.addEventListener('DOMContentLoaded', function () { document.forms[0].submit() });</script>" : '';
          ctx.type = 'html';
          ctx.body = page('Sign out', `<h1>Sign out</h1><p>Sign out of directory ${escapeHtml(tid)}?</p>${confirmForm}`, script);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = page('Signed out', '<h1>You signed out of your account</h1>');
        },
      },
    },
    interactions: {
      policy,
      url: async (_ctx, interaction) => `/${tid}/v2.0/interaction/${interaction.uid}`,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Error', `<h1>Sign-in error</h1><dl>${Object.entries(out)
        .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(String(value))}</dd>`)
        .join('')}</dl>`);
    },
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 600,
      IdToken: 3600,
      RefreshToken: 86400,
      Interaction: 3600,
      Session: 86400,
      Grant: 86400,
    },
  };

  const provider = new Provider(idp.issuerOf(tid), configuration);
  provider.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      const route = (ctx as KoaContextWithOIDC).oidc?.route;
      if (route === 'authorization' || route === 'end_session') {
        const raw = ctx.method === 'POST' ? ((ctx as KoaContextWithOIDC).oidc.body ?? {}) : ctx.query;
        (route === 'authorization' ? idp.authorizations : idp.logouts).push(flatten(raw));
      }
    }
  });
  return provider;
}

async function handleInteraction(tid: string, provider: Provider, users: UpstreamUser[], uid: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (error) {
    sendHtml(res, 400, page('Sign-in expired', `<h1>This sign-in has expired</h1><p>${escapeHtml(error instanceof Error ? error.message : String(error))}</p>`));
    return;
  }
  if (details.uid !== uid) {
    sendHtml(res, 400, page('Sign-in expired', '<h1>This sign-in belongs to another page</h1>'));
    return;
  }
  const { prompt } = details;
  const asksSignIn = prompt.name === 'login' || prompt.name === 'select_account';

  if (!asksSignIn) {
    // Consent (or anything else) is granted without a page.
    await provider.interactionFinished(req, res, await grantConsent(provider, details), { mergeWithLastSubmission: true });
    return;
  }

  const action = `/${tid}/v2.0/interaction/${uid}`;
  if (req.method !== 'POST') {
    req.resume();
    sendHtml(res, 200, loginPage(action, tid));
    return;
  }

  const form = new URLSearchParams(await readBody(req));
  if (form.has('cancel')) {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user cancelled the sign-in.' }, { mergeWithLastSubmission: false });
    return;
  }
  const username = (form.get('username') ?? '').trim();
  const user = users.find((one) => one.username.toLowerCase() === username.toLowerCase());
  if (!username || !user) {
    sendHtml(res, 200, loginPage(action, tid, { username, error: 'Unknown user' }));
    return;
  }
  const amr = form.has('mfa') ? ['pwd', 'mfa'] : ['pwd'];
  const result: InteractionResults = { login: { accountId: user.oid, amr, remember: true } };
  if (prompt.name !== 'login') result[prompt.name] = {};
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

/** Grants what the consent prompt found missing (scopes, claims, resource scopes). */
async function grantConsent(provider: Provider, details: Awaited<ReturnType<Provider['interactionDetails']>>): Promise<InteractionResults> {
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id as string;
  const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope);
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes);
  return { consent: { grantId: await grant.save() } };
}

function loginPage(action: string, tid: string, state: { username?: string; error?: string } = {}): string {
  return page(
    'Sign in to your account',
    `<h1>Sign in</h1>
<p>Directory ${escapeHtml(tid)}</p>
${state.error ? `<p role="alert">${escapeHtml(state.error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
  <p><label for="username">Username</label> <input id="username" type="text" name="username" autocomplete="username" value="${escapeHtml(state.username ?? '')}" autofocus></p>
  <p><input id="mfa" type="checkbox" name="mfa" value="yes"> <label for="mfa">Used MFA</label></p>
  <p><button type="submit">Sign in</button> <button type="submit" name="cancel" value="yes">Cancel</button></p>
</form>`,
  );
}

function page(title: string, body: string, head = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>${head}</head>
<body><main>
${body}
</main></body>
</html>`;
}

function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Request parameters as strings (a repeated one keeps its first value). */
function flatten(params: Record<string, unknown>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first !== null) flat[key] = String(first);
  }
  return flat;
}

/**
 * oidc-provider's own in-memory adapter, one store per provider: what the library uses when
 * given no adapter, minus the "development-only adapter" warning it prints then. Not a public
 * export, so it is looked up by path; if the path moves, the library's default is used.
 */
async function loadMemoryAdapterFactory(): Promise<(() => (model: string) => Adapter) | undefined> {
  const path = 'oidc-provider/lib/adapters/memory_adapter.js';
  try {
    const { createMemoryAdapter } = (await import(path)) as { createMemoryAdapter?: () => (model: string) => Adapter };
    return typeof createMemoryAdapter === 'function' ? () => createMemoryAdapter() : undefined;
  } catch {
    return undefined;
  }
}
