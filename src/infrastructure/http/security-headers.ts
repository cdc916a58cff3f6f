import type { Context, Middleware } from 'koa';

export interface SecurityHeaderOptions {
  /** The issuer is https: browsers are told to use nothing else (HSTS). */
  https: boolean;
  /** `'sha256-…'` sources of the inline stylesheet of the hosted pages. */
  styleHashes: readonly string[];
}

const FORM_TARGETS = Symbol('form targets');

/**
 * Lets a response's forms (and the redirects that follow their submission: Chromium applies
 * `form-action` to those too) go to `url`'s origin besides Gatehouse itself: the client's
 * registered redirect URI after a sign-in, its post-logout URI after a sign-out.
 */
export function allowFormTarget(ctx: Context, url: string | undefined): void {
  if (!url) return;
  let origin: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return;
    origin = parsed.origin;
  } catch {
    return;
  }
  const state = ctx.state as Record<symbol, Set<string> | undefined>;
  (state[FORM_TARGETS] ??= new Set()).add(origin);
}

/**
 * Headers on every response, the provider's included. The pages load nothing but their own
 * stylesheet (inline, allowed by its hash) and inline images; no script runs but Gatehouse's own
 * files (the passkey enhancement) and the one the provider adds to its form_post page (it adds
 * that script's hash itself); no inline script of any other kind; forms go only to
 * Gatehouse and to the origins a response allowed; nothing frames the sign-in form
 * (clickjacking); no referrer (authorization URLs carry state and codes); no MIME sniffing.
 */
export function securityHeaders(options: SecurityHeaderOptions): Middleware {
  const base: [string, string[]][] = [
    ['default-src', ["'none'"]],
    // Gatehouse's own scripts only (passkeys: /assets), and the fetch of a passkey's options.
    ['script-src', ["'self'"]],
    ['connect-src', ["'self'"]],
    ['style-src', ["'self'", ...options.styleHashes]],
    ['img-src', ["'self'", 'data:']],
    ['form-action', ["'self'"]],
    ['base-uri', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  const header = serialize(new Map(base));
  return async (ctx, next) => {
    ctx.set('Content-Security-Policy', header);
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    if (options.https) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    try {
      await next();
    } finally {
      finishPolicy(ctx, header);
    }
  };
}

/** Adds the allowed form targets, and drops `'none'` from script-src once a hash joined it. */
function finishPolicy(ctx: Context, unchanged: string): void {
  const current = ctx.response.get('Content-Security-Policy');
  if (!current) return;
  const targets = (ctx.state as Record<symbol, Set<string> | undefined>)[FORM_TARGETS];
  // Most answers (every token request) keep the policy as set: nothing to parse.
  if (current === unchanged && !targets?.size) return;
  const directives = parse(String(current));
  const scripts = directives.get('script-src');
  if (scripts && scripts.length > 1) directives.set('script-src', scripts.filter((source) => source !== "'none'"));
  if (targets?.size) directives.set('form-action', [...new Set([...(directives.get('form-action') ?? ["'self'"]), ...targets])]);
  ctx.set('Content-Security-Policy', serialize(directives));
}

function parse(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name, values);
  }
  return directives;
}

function serialize(directives: Map<string, string[]>): string {
  return [...directives].map(([name, values]) => [name, ...values].join(' ')).join('; ');
}
