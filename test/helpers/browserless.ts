import http from 'node:http';

/**
 * One request as a browser navigates: `Sec-Fetch-Mode: navigate` and `Sec-Fetch-Dest: document`,
 * which relying parties such as mod_auth_openidc read to tell a page load from a script's
 * request (fetch() would always say `cors`).
 */
async function navigate(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; headers: Headers; text: string }> {
  const target = new URL(url);
  if (target.protocol !== 'http:') throw new Error(`the HTTP browser speaks plain http only: ${url}`);
  return new Promise((resolve, reject) => {
    const request = http.request(
      target,
      {
        method: init.method,
        headers: {
          // A default only: tests that sign in from a named app set their own.
          'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) gatehouse-tests',
          ...init.headers,
          'sec-fetch-mode': 'navigate',
          'sec-fetch-dest': 'document',
          ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
          }
          resolve({ status: response.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
}

/**
 * A tiny cookie-keeping HTTP user agent: follows redirects by hand and posts forms the way a
 * browser without JavaScript would. Used where a full browser would only slow the suite.
 */
export class HttpBrowser {
  private readonly cookies = new Map<string, string>();
  lastUrl = '';
  lastStatus = 0;
  lastHeaders = new Headers();
  /** Sent with every request: e.g. `x-forwarded-for` to sign in from another address behind TRUST_PROXY. */
  headers: Record<string, string> = {};

  /** Requests `url`, following redirects while they stay off `stopAt` (the client's callback). */
  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}, stopAt?: string): Promise<string> {
    let current = url;
    let method = init.method ?? (init.form ? 'POST' : 'GET');
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
    for (let hop = 0; hop < 20; hop++) {
      if (stopAt && current.startsWith(stopAt)) return current;
      const response = await navigate(current, {
        method,
        headers: {
          ...this.headers,
          cookie: this.cookieHeader(),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          accept: 'text/html',
        },
        body,
      });
      this.remember(response.headers.getSetCookie());
      this.lastUrl = current;
      this.lastStatus = response.status;
      this.lastHeaders = response.headers;
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        current = new URL(location, current).toString();
        method = 'GET';
        body = undefined;
        continue;
      }
      const html = response.text;
      // A page that submits itself on load (the provider's form_post): do what a browser does.
      if (html.includes('document.forms[0].submit()')) {
        current = new URL(HttpBrowser.formAction(html), current).toString();
        method = 'POST';
        body = new URLSearchParams(HttpBrowser.hiddenInputs(html)).toString();
        continue;
      }
      return html;
    }
    throw new Error('too many redirects');
  }

  /** The action of the first form on a page whose action matches. */
  static formAction(html: string, matching: RegExp = /./): string {
    const actions = [...html.matchAll(/<form[^>]*action="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    const action = actions.find((a) => a.search(matching) !== -1);
    if (!action) throw new Error(`no form matching ${matching} in page:\n${html.slice(0, 2000)}`);
    return action;
  }

  /** Another tab of this browser: the cookies it has now, kept apart from here on. */
  newTab(): HttpBrowser {
    const tab = new HttpBrowser();
    for (const [name, value] of this.cookies) tab.cookies.set(name, value);
    tab.headers = { ...this.headers };
    return tab;
  }

  /** The Cookie header this browser would send: for requests a test makes by hand (in parallel). */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  static hiddenInputs(html: string): Record<string, string> {
    return Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g)].map((m) => [m[1]!, m[2]!]));
  }

  private remember(setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair] = header.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1);
      if (header.search(/expires=Thu, 01 Jan 1970/i) !== -1 || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
