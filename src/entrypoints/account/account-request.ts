import type { Context } from 'koa';
import type { AccountSubject } from '../../domain/account/account-subject.js';
import { renderPage, type PageName } from '../pages/rendering/page-renderer.js';
import type { FirstPartyWebApp, SignedIn } from '../first-party/first-party-web-app.js';
import { signInSource } from '../pages/sign-in-source.js';

/** A request of the account page with its signed-in person. */
export interface AccountRequest extends SignedIn {
  subject: AccountSubject;
}

/**
 * The signed-in person of this request; without one, a GET goes to sign in (and comes back
 * here), and a form post is refused (its values would be lost anyway).
 */
export async function signedInOrSignIn(ctx: Context, webApp: FirstPartyWebApp): Promise<AccountRequest | undefined> {
  ctx.set('Cache-Control', 'no-store');
  const signedIn = await webApp.current(ctx);
  if (signedIn) {
    const source = signInSource(ctx, { clientId: webApp.clientId });
    return { ...signedIn, subject: { user: signedIn.user, tenant: signedIn.tenant, source: { ...source, clientKind: 'web' }, scope: String(signedIn.session.state.scope) } };
  }
  if (ctx.method === 'GET') webApp.beginSignIn(ctx, ctx.path);
  else renderAccountPage(ctx, 'account-message', { title: 'Your session has ended', message: 'You were signed out after 15 minutes without activity. Sign in again and repeat the change.', linkUrl: '/account', linkText: 'Sign in again' }, 401);
  return undefined;
}

/** A form of the account page: signed in, and carrying this session's form token. */
export async function signedInForm(ctx: Context, webApp: FirstPartyWebApp): Promise<AccountRequest | undefined> {
  const request = await signedInOrSignIn(ctx, webApp);
  if (!request) return undefined;
  if (webApp.validCsrf(request, formField(ctx, 'csrf'))) return request;
  renderAccountPage(ctx, 'account-message', { title: 'This form has expired', message: 'The form was not sent from your current account page. Open the page again and repeat the change.', linkUrl: '/account', linkText: 'Back to your account' }, 403);
  return undefined;
}

export function formField(ctx: Context, name: string, max = 1024): string {
  const value = ((ctx.request as { body?: Record<string, unknown> }).body ?? {})[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/** What a done change says on the page it lands on (keyed: nothing from the address is shown). */
const NOTICES: Record<string, string> = {
  'password-changed': 'Your password was changed. Every other browser and app was signed out.',
  'phone-changed': 'Your mobile number was changed.',
  'method-renamed': 'The name was saved.',
  'method-removed': 'The method was removed.',
  confirmed: 'Thank you: for the next 5 minutes you can remove a method.',
  'app-signed-out': 'The app was signed out. It will ask you to sign in again.',
};

export function renderAccountPage(ctx: Context, page: PageName, data: Record<string, unknown>, status = 200): void {
  ctx.status = status;
  ctx.type = 'html';
  const notice = status === 200 ? NOTICES[String(ctx.query.done ?? '')] : undefined;
  ctx.body = renderPage(page, { notice, ...data });
}

/** The data every account page's frame needs: who, the form token, which section is open. */
export function frameOf(request: AccountRequest, webApp: FirstPartyWebApp, section: string) {
  return { username: request.user.username, tenantName: request.tenant.name, csrf: webApp.csrfToken(request), section };
}

/** Post/redirect/get: a done change shows its notice by a fixed key, never by reflected text. */
export function seeOther(ctx: Context, path: string): void {
  ctx.status = 303;
  ctx.redirect(path);
}
