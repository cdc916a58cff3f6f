import type { Context, Middleware } from 'koa';
import type { Logger } from '../observability/logger.js';
import { isStorageFault, RETRY_AFTER_SECONDS } from '../storage/storage-faults.js';
import { GatehouseError } from './gatehouse-error.js';
import { sendProblem } from './problem.js';

/**
 * The one place errors of Gatehouse's own routes become responses (the provider answers its
 * own). A GatehouseError keeps its status and message; a client error from Koa (bad body,
 * oversized form) keeps its status; a database or Redis that does not answer is a 503 with
 * `Retry-After` (nothing was changed; the same request works in a moment); anything else is
 * logged and answered without internals. APIs (/admin) get problem+json, browsers a page.
 */
/** Renders an error for a browser (the hosted pages' message page). */
export type HtmlErrorPage = (page: { status: number; title: string; message: string }) => string;

export function errorHandler(logger: Logger, htmlPage: HtmlErrorPage): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const { status, title, extensions } = describe(err);
      if (status === 503) logger.warn({ err: (err as Error)?.message, path: ctx.path }, 'storage unavailable');
      else if (status >= 500) logger.error({ err, path: ctx.path }, 'request failed');
      if (status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="gatehouse"');
      if (status === 429 && typeof extensions.retry_after === 'number') ctx.set('Retry-After', String(extensions.retry_after));
      if (status === 503) ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
      if (wantsJson(ctx)) {
        sendProblem(ctx, { status, title, ...extensions });
      } else {
        ctx.status = status;
        ctx.type = 'html';
        ctx.body = htmlPage({
          status,
          title: status === 503 ? 'Briefly unavailable' : status >= 500 ? 'Something went wrong on our side' : 'This request cannot be completed',
          message: status === 503 ? 'Nothing was changed. Please try again in a moment.' : status >= 500 ? 'Please try again in a moment.' : title,
        });
      }
    }
  };
}

function describe(err: unknown): { status: number; title: string; extensions: Record<string, unknown> } {
  if (err instanceof GatehouseError) return { status: err.status, title: err.message, extensions: { code: err.code, ...err.extensions } };
  if (isStorageFault(err)) return { status: 503, title: 'Temporarily unavailable: nothing was changed; try again in a moment', extensions: { code: 'unavailable' } };
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: boolean }).expose !== false) {
    return { status, title: (err as Error).message || 'Bad request', extensions: {} };
  }
  return { status: 500, title: 'Internal error', extensions: {} };
}

function wantsJson(ctx: Context): boolean {
  return ctx.path.startsWith('/admin/') || ctx.path.startsWith('/webhooks/') || ctx.accepts('html', 'json') === 'json';
}
