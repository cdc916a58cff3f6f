import { HttpBrowser } from './browserless.js';

/** Signs `username` in to the console over HTTP; the browser and the page it landed on. */
export async function signInToConsole(issuer: string, username: string, password: string): Promise<{ browser: HttpBrowser; page: string }> {
  const browser = new HttpBrowser();
  const login = await browser.go(`${issuer}/console`);
  const page = await browser.go(new URL(HttpBrowser.formAction(login, /login$/), issuer).toString(), { form: { username, password } });
  return { browser, page };
}

/** The console session's form token, as a page carries it. */
export const csrfOf = (page: string): string => HttpBrowser.hiddenInputs(page).csrf!;

/** A console form posted with `browser`'s cookies, not followed: the answer itself. */
export async function postConsoleForm(issuer: string, browser: HttpBrowser, path: string, form: Record<string, string>): Promise<{ status: number; text: string; location: string | null }> {
  const response = await fetch(`${issuer}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: new URLSearchParams(form).toString() });
  return { status: response.status, text: await response.text(), location: response.headers.get('location') };
}
