/**
 * The cookies of one simulated browser. Paths are honoured because oidc-provider scopes its
 * interaction cookies to `/interaction/<uid>` and `/auth/<uid>`, as a real browser would see them.
 * Domains, expiry dates and `Secure` are not needed: one loopback origin, one short flow.
 */
export class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  clear(): void {
    this.cookies.clear();
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
      let removed = value === '';
      for (const attribute of attributes) {
        const [key = '', raw = ''] = attribute.split('=', 2).map((part) => part.trim());
        const lower = key.toLowerCase();
        if (lower === 'path' && raw.startsWith('/')) path = raw;
        if (lower === 'max-age' && Number(raw) <= 0) removed = true;
        if (lower === 'expires' && Date.parse(raw) <= Date.now()) removed = true;
      }
      const key = `${name};${path}`;
      if (removed) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
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
