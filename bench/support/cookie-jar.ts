interface Cookie {
  name: string;
  value: string;
  path: string;
  /** Epoch ms from Max-Age or Expires; absent for a cookie that ends with the browser session. */
  expiresAt?: number;
}

/**
 * The cookies of one simulated browser. Paths are honoured because oidc-provider scopes its
 * interaction cookies to `/interaction/<uid>` and `/auth/<uid>`, as a real browser would see them.
 * Expiry is kept only to tell long-lived cookies from the rest (`keepOnlyLongLived`); domains and
 * `Secure` are not needed: one loopback origin.
 */
export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();

  clear(): void {
    this.cookies.clear();
  }

  /**
   * Forgets every cookie that ends within `days`, or with the browser session: what is left is a
   * browser coming back after its sign-in ended (a device cookie, a language chosen), not a new one.
   */
  keepOnlyLongLived(days: number): void {
    const until = Date.now() + days * 24 * 60 * 60 * 1000;
    for (const [key, cookie] of this.cookies) {
      if (cookie.expiresAt === undefined || cookie.expiresAt < until) this.cookies.delete(key);
    }
  }

  /** Takes the `Set-Cookie` headers of a response to a request for `requestPath`. */
  store(setCookies: readonly string[], requestPath: string): void {
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';');
      const split = pair.indexOf('=');
      if (split <= 0) continue;
      const name = pair.slice(0, split).trim();
      const value = pair.slice(split + 1).trim();
      let path = defaultPath(requestPath);
      let maxAgeAt: number | undefined;
      let expiresAt: number | undefined;
      for (const attribute of attributes) {
        const [key = '', raw = ''] = attribute.split('=', 2).map((part) => part.trim());
        const lower = key.toLowerCase();
        if (lower === 'path' && raw.startsWith('/')) path = raw;
        if (lower === 'max-age' && /^-?\d+$/.test(raw)) maxAgeAt = Date.now() + Number(raw) * 1000;
        if (lower === 'expires' && !Number.isNaN(Date.parse(raw))) expiresAt = Date.parse(raw);
      }
      // RFC 6265 §5.3: Max-Age wins over Expires.
      const ends = maxAgeAt ?? expiresAt;
      const key = `${name};${path}`;
      if (value === '' || (ends !== undefined && ends <= Date.now())) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path, expiresAt: ends });
    }
  }

  /** The `Cookie` header for a request to `requestPath`, or undefined when none applies. */
  header(requestPath: string): string | undefined {
    const path = requestPath.split('?')[0]!;
    const sent = [...this.cookies.values()].filter((c) => pathMatches(path, c.path)).map((c) => `${c.name}=${c.value}`);
    return sent.length ? sent.join('; ') : undefined;
  }
}

/** RFC 6265 §5.1.4: the directory of the request path. */
function defaultPath(requestPath: string): string {
  const path = requestPath.split('?')[0]!;
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
