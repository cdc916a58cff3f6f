import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { languageOf } from '../../../infrastructure/i18n/languages.js';
import { runWithPageLanguage } from '../../../infrastructure/i18n/page-language.js';

/** The switcher's choice: a year, since a person's language rarely changes. */
export const LANGUAGE_COOKIE = 'gh_lang';
const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * Every request gets the language its cookie and Accept-Language choose (an interaction's
 * ui_locales, read later, go first). Pages rendered for it read it from there.
 */
export function pageLanguageMiddleware(): Middleware {
  return (ctx, next) => runWithPageLanguage({ chosen: ctx.cookies.get(LANGUAGE_COOKIE), acceptLanguage: ctx.get('accept-language') || undefined }, returnPathOf(ctx.method, ctx.path, ctx.originalUrl), next);
}

/**
 * GET /language?set=de&return=/path: the switcher is plain links (no JavaScript, no form), so
 * this sets the cookie and sends the browser back to the page it came from.
 */
export function createLanguageRouter(options: { secureCookies: boolean }): Router {
  const router = new Router();
  router.get('/language', (ctx) => {
    const language = languageOf(typeof ctx.query.set === 'string' ? ctx.query.set : undefined);
    if (language) ctx.cookies.set(LANGUAGE_COOKIE, language, { httpOnly: true, sameSite: 'lax', secure: options.secureCookies, maxAge: YEAR_MS, overwrite: true });
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(safeReturn(ctx.query.return));
  });
  return router;
}

/** Only a path on this server: never an open redirect ("//evil.example", "/\\evil"). */
function safeReturn(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && value.length <= 2048 ? value : '/';
}

/**
 * Where to come back to after switching: the page itself when it was a GET; after a form
 * post (whose address answers only POST), the page that shows the same step.
 */
export function returnPathOf(method: string, path: string, originalUrl: string): string {
  if (method === 'GET' || method === 'HEAD') return originalUrl;
  const flow = /^(\/interaction\/[^/]+)?(\/forgot-password(?:\/[^/]+)?)/.exec(path);
  if (flow) return `${flow[1] ?? ''}${flow[2]}`;
  const interaction = /^\/interaction\/[^/]+/.exec(path);
  if (interaction) return interaction[0];
  if (path === '/device') return '/device';
  // An account form's answer: back to the account page section it belongs to.
  const account = /^\/account(\/(?:password|phone|methods|confirm|apps|activity))?/.exec(path);
  if (account) return account[0];
  return '/';
}
