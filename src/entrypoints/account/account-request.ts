import type { Context } from 'koa';
import type { AccountSubject } from '../../domain/account/account-subject.js';
import { applyUserLocale } from '../../infrastructure/i18n/page-language.js';
import { renderPage, type PageName } from '../pages/rendering/page-renderer.js';
import { t } from '../pages/rendering/page-text.js';
import type { FirstPartyWebApp, SignedIn } from '../first-party/first-party-web-app.js';
import { signInSource } from '../pages/sign-in-source.js';

/** A request of the account page with its signed-in person. */
export interface AccountRequest extends SignedIn {
  subject: AccountSubject;
}

/**
 * The signed-in person of this request; without one, a GET goes to sign in (and comes back
 * here), and a form post is refused (its values would be lost anyway). Once the person is
 * known, their saved language counts (after the switcher's cookie, before the browser's).
 */
export async function signedInOrSignIn(ctx: Context, webApp: FirstPartyWebApp): Promise<AccountRequest | undefined> {
  ctx.set('Cache-Control', 'no-store');
  const signedIn = await webApp.current(ctx);
  if (signedIn) {
    applyUserLocale(signedIn.user.locale);
    const source = signInSource(ctx, { clientId: webApp.clientId });
    return { ...signedIn, subject: { user: signedIn.user, tenant: signedIn.tenant, source: { ...source, clientKind: 'web' }, scope: String(signedIn.session.state.scope) } };
  }
  if (ctx.method === 'GET') webApp.beginSignIn(ctx, ctx.path);
  else renderAccountPage(ctx, 'account-message', { title: t('account.session_ended_title'), message: t('account.session_ended'), linkUrl: '/account', linkText: t('account.sign_in_again') }, 401);
  return undefined;
}

/** A form of the account page: signed in, and carrying this session's form token. */
export async function signedInForm(ctx: Context, webApp: FirstPartyWebApp): Promise<AccountRequest | undefined> {
  const request = await signedInOrSignIn(ctx, webApp);
  if (!request) return undefined;
  if (webApp.validCsrf(request, formField(ctx, 'csrf'))) return request;
  renderAccountPage(ctx, 'account-message', { title: t('account.form_expired_title'), message: t('account.form_expired'), linkUrl: '/account', linkText: t('account.back_to_account') }, 403);
  return undefined;
}

export function formField(ctx: Context, name: string, max = 1024): string {
  const value = ((ctx.request as { body?: Record<string, unknown> }).body ?? {})[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/** A typed code as people paste it ("123 456", "123-456"): spaces and dashes do not count. */
export function typedCode(ctx: Context, max = 64): string {
  return formField(ctx, 'code', max).replace(/[\s-]/g, '');
}

/** What a done change says on the page it lands on (keyed: nothing from the address is shown). */
const NOTICES: Record<string, string> = {
  'password-changed': 'account.notice_password_changed',
  'phone-changed': 'account.notice_phone_changed',
  'method-renamed': 'account.notice_method_renamed',
  'method-removed': 'account.notice_method_removed',
  'method-added': 'account.notice_method_added',
  confirmed: 'account.notice_confirmed',
  'app-signed-out': 'account.notice_app_signed_out',
};

export function renderAccountPage(ctx: Context, page: PageName, data: Record<string, unknown>, status = 200): void {
  ctx.status = status;
  ctx.type = 'html';
  const done = String(ctx.query.done ?? '');
  const notice = status === 200 && Object.hasOwn(NOTICES, done) ? t(NOTICES[done]!) : undefined;
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
