import type { Middleware } from 'koa';
import type { HtmlErrorPage } from './error-handler.js';

/**
 * Gatehouse's own forms are only ever posted from Gatehouse's own pages. A post that the
 * browser says came from another site (`Sec-Fetch-Site`), or from another origin (`Origin`,
 * for browsers without fetch metadata), is refused with a page before anything acts on it: a
 * page elsewhere must not be able to submit a login, a password change or a reset in the
 * person's browser. A client without either header (not a browser) is let through; the
 * provider's CSRF tokens still apply to it.
 */
export function refuseCrossSiteForms(options: { issuer: string; htmlPage: HtmlErrorPage; isFormPath: (path: string) => boolean }): Middleware {
  const origin = new URL(options.issuer).origin;
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || !options.isFormPath(ctx.path)) return next();
    const site = ctx.get('sec-fetch-site');
    const from = ctx.get('origin');
    const crossSite = site ? site !== 'same-origin' : Boolean(from) && from !== origin;
    if (!crossSite) return next();
    ctx.status = 403;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = options.htmlPage({
      status: 403,
      title: 'This form was sent from another site',
      message: 'For your safety, Gatehouse only accepts its forms from its own pages. Go back to the application you were using and start again from there.',
    });
  };
}
