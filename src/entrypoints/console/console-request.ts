import type { Context } from 'koa';
import type { TenantRecord } from '../../domain/tenants/tenant.js';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import { assertMayReadUsers } from '../admin/access-policy.js';
import { actorOfPerson, type AdminActor } from '../admin/admin-actor.js';
import type { SignedIn } from '../first-party/first-party-web-app.js';
import { renderPage, type PageName } from '../pages/rendering/page-renderer.js';
import { t } from '../pages/rendering/page-text.js';
import { needsSecondFactor } from './console-second-factor.js';
import type { ConsoleDependencies, ConsoleSection } from './console-section.js';

export const CONSOLE_PATH = '/console';

/** How recently the password must have been entered for a destructive action. */
export const FRESH_AUTHENTICATION_MS = 5 * 60_000;

/** A request of the console with its signed-in person, as the admin API would see them. */
export interface ConsoleRequest {
  signedIn: SignedIn;
  /** Who acts, re-read from the database on this request: a role change applies at once. */
  actor: AdminActor;
  /** The tenant the console works on: the person's own, or the one an operator switched to. */
  tenant: TenantRecord;
  /** Operators: the tenants they can switch between. */
  tenants?: TenantRecord[];
  csrf: string;
}

/**
 * The person of this request, allowed into the console; without a session a GET goes to sign in
 * (and comes back here), a form post is refused (its values would be lost anyway). Members get a
 * page saying the console is not for them (403), as the admin API refuses them.
 */
export async function openConsole(ctx: Context, deps: ConsoleDependencies): Promise<ConsoleRequest | undefined> {
  ctx.set('Cache-Control', 'no-store');
  const signedIn = await deps.webApp.current(ctx);
  if (!signedIn) {
    if (ctx.method === 'GET') deps.webApp.beginSignIn(ctx, ctx.path);
    else renderConsoleMessage(ctx, { title: t('console.session_ended.title'), message: t('console.session_ended.message'), linkUrl: CONSOLE_PATH, linkText: t('console.sign_in_again') }, 401);
    return undefined;
  }
  const actor = actorOfPerson(signedIn.user, deps.webApp.clientId);
  try {
    assertMayReadUsers(actor);
  } catch {
    renderConsoleMessage(ctx, { title: t('console.members.title'), message: t('console.members.message'), linkUrl: '/account', linkText: t('console.members.link'), csrf: deps.webApp.csrfToken(signedIn), signOut: true }, 403);
    return undefined;
  }
  const chosen = actor.kind === 'operator' && typeof signedIn.session.state.tenantId === 'string' ? await deps.tenants.findById(signedIn.session.state.tenantId) : undefined;
  const tenants = actor.kind === 'operator' ? await deps.tenants.list({ limit: 200 }) : undefined;
  return { signedIn, actor, tenant: chosen ?? signedIn.tenant, tenants, csrf: deps.webApp.csrfToken(signedIn) };
}

/** A form of the console: signed in, allowed in, and carrying this session's form token. */
export async function consoleForm(ctx: Context, deps: ConsoleDependencies): Promise<ConsoleRequest | undefined> {
  const request = await openConsole(ctx, deps);
  if (!request) return undefined;
  if (deps.webApp.validCsrf(request.signedIn, formField(ctx, 'csrf'))) return request;
  renderConsoleMessage(ctx, { title: t('console.form_expired.title'), message: t('console.form_expired.message'), linkUrl: CONSOLE_PATH, linkText: t('console.back_to_console') }, 403);
  return undefined;
}

/** The password was entered within the last 5 minutes in this session. */
export function isFresh(request: ConsoleRequest, deps: ConsoleDependencies): boolean {
  const now = (deps.now ?? (() => new Date()))().getTime();
  return now - deps.webApp.authTime(request.signedIn) <= FRESH_AUTHENTICATION_MS;
}

/**
 * A destructive form (set password, delete, disable, sign out everywhere or of an app, rotate a
 * secret): besides the form token, the password must have been entered again within 5 minutes,
 * and a person with a second factor must have used it then or confirmed a code since
 * (console-second-factor.ts); else the page sends the person to do so and back to
 * `confirmPath`, the page of the action.
 */
export async function destructiveForm(ctx: Context, deps: ConsoleDependencies, confirmPath: string): Promise<ConsoleRequest | undefined> {
  const request = await consoleForm(ctx, deps);
  if (!request) return undefined;
  if (!isFresh(request, deps)) {
    renderConsoleMessage(ctx, { title: t('console.reauth.title'), message: t('console.reauth.stale'), linkUrl: reauthenticationLink(confirmPath), linkText: t('console.reauth.button') }, 403);
    return undefined;
  }
  if (await needsSecondFactor(ctx, deps, request.signedIn)) {
    renderConsoleMessage(ctx, { title: t('console.reauth.title'), message: t('console.reauth.second_factor'), linkUrl: `${CONSOLE_PATH}/confirm?return=${encodeURIComponent(confirmPath)}`, linkText: t('console.reauth.second_factor_button') }, 403);
    return undefined;
  }
  return request;
}

/** Where "enter your password again" goes: the authorization endpoint with prompt=login, then back. */
export function reauthenticationLink(returnTo: string): string {
  return `${CONSOLE_PATH}/reauthenticate?return=${encodeURIComponent(returnTo)}`;
}

export function formField(ctx: Context, name: string, max = 1024): string {
  const value = ((ctx.request as { body?: Record<string, unknown> }).body ?? {})[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

export function queryField(ctx: Context, name: string, max = 200): string {
  const value = ctx.query[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/** The sections of the navigation, set once by the router (from the one list of sections). */
let navigation: readonly ConsoleSection[] = [];
export function setNavigation(sections: readonly ConsoleSection[]): void {
  navigation = sections;
}

/** Renders a console page inside the frame: who, which tenant (operators switch), the sections. */
export function renderConsole(ctx: Context, page: PageName, request: ConsoleRequest, section: string, data: Record<string, unknown>, status = 200): void {
  ctx.status = status;
  ctx.type = 'html';
  const { user } = request.signedIn;
  const done = status === 200 && typeof ctx.query.done === 'string' && /^[a-z-]{1,40}$/.test(ctx.query.done) ? ctx.query.done : undefined;
  ctx.body = renderPage(page, {
    frame: {
      username: user.username,
      role: request.actor.kind === 'operator' ? 'operator' : user.role,
      tenant: request.tenant,
      csrf: request.csrf,
      section,
      sections: navigation.filter((s) => s.label && s.shownTo(request.actor)).map((s) => ({ id: s.id, path: s.path, label: s.label })),
      tenants: request.tenants,
      returnTo: ctx.path,
    },
    csrf: request.csrf,
    // A done change shows its notice by a fixed key (console.done.*), never by reflected text.
    notice: done ? `console.done.${done}` : undefined,
    ...data,
  });
}

/** A page with a title, one message and a way onward (inside no frame: also for the refused). */
export function renderConsoleMessage(ctx: Context, data: { title: string; message: string; linkUrl?: string; linkText?: string; csrf?: string; signOut?: boolean }, status = 200): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = renderPage('console-message', { alert: status >= 400, ...data });
}

/**
 * Runs an admin action for a page: a refusal of the access policy or the service (404, 403, 409,
 * 429…) becomes a page saying so with the way back, never a 500.
 */
export async function asPage<T>(ctx: Context, request: ConsoleRequest, backTo: string, action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (err) {
    if (!(err instanceof GatehouseError) || err.status >= 500 && err.code !== 'delivery_failed') throw err;
    renderConsole(ctx, 'console-refused', request, '', { title: t(`console.refused.${err.code}`), message: err.message, backTo }, err.status);
    return undefined;
  }
}

/**
 * A form's refusal by the request schema (400): what to show above the form, and which field.
 * The message is the admin API's own, in English (`errorLang`: the page marks it so).
 */
export function invalidInput(err: unknown): { error: string; errorField?: string; errorLang: 'en' } | undefined {
  if (!(err instanceof GatehouseError) || err.code !== 'invalid_request') return undefined;
  const first = (err.extensions.errors ?? [])[0];
  return { error: first ? `${first.field}: ${first.message}` : err.message, errorField: first?.field, errorLang: 'en' };
}

/**
 * A refusal of the request schema (400) or of what the caller may set (422), field by field, so
 * a form shows each message next to its field: `{ 'settings.mfa.mode': 'Invalid option…' }`.
 */
export function fieldErrors(err: unknown): { error: string; errors: Record<string, string>; errorField?: string } | undefined {
  if (!(err instanceof GatehouseError) || (err.code !== 'invalid_request' && err.code !== 'unprocessable')) return undefined;
  const list = err.extensions.errors ?? [];
  const errors: Record<string, string> = {};
  for (const { field, message } of list) errors[field] ??= message;
  return { error: err.message, errors, errorField: list[0]?.field };
}

/** Post/redirect/get: the change's notice is a fixed key. */
export function seeOther(ctx: Context, path: string): void {
  ctx.status = 303;
  ctx.redirect(path);
}
