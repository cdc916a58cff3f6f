import type { Middleware } from 'koa';
import type { Logger } from '../observability/logger.js';
import { renderMessage } from '../pages/page-renderer.js';
import { sendProblem } from './problem.js';

/**
 * The last line for Gatehouse's own routes (the provider answers its errors itself): client
 * errors keep their status with a clear message, anything unexpected is logged and answered
 * without internals — a page for browsers, problem+json for APIs.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const status = httpStatusOf(err);
      if (status >= 500) logger.error({ err, path: ctx.path }, 'request failed');
      const title = status >= 500 ? 'Something went wrong on our side' : (err as Error).message || 'Bad request';
      if (ctx.accepts('html', 'json') === 'html') {
        ctx.status = status;
        ctx.type = 'html';
        ctx.body = renderMessage({ title: status >= 500 ? title : 'This request cannot be completed', alert: true, message: status >= 500 ? 'Please try again in a moment.' : title, linkUrl: '/', linkText: 'Go to the start page' });
      } else {
        sendProblem(ctx, { status, title });
      }
    }
  };
}

function httpStatusOf(err: unknown): number {
  const status = (err as { status?: unknown; statusCode?: unknown })?.status ?? (err as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
