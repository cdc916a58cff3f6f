import type { Context, Middleware } from 'koa';
import { accessLogOf, type Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { requestIdFrom, runInRequest } from './request-context.js';

/** Probes answer every few seconds per pod: their lines are kept for debugging only. */
const PROBES = new Set(['/healthz', '/readyz']);

/**
 * The route template of an answered request, never its raw path: a path carries ids (an
 * interaction, a user, a reset flow's link), which would leak into logs and explode the number
 * of metric series. Gatehouse's routers (@koa/router) list the layers they matched in
 * `ctx.matched`; the provider's own router names its route in `ctx._matchedRoute`.
 */
export function routeTemplate(ctx: Context): string {
  const matched = (ctx as { matched?: { path: string; methods: string[] }[] }).matched;
  const layer = matched?.filter((candidate) => candidate.methods.includes(ctx.method)).at(-1);
  if (layer) return layer.path;
  const providerRoute = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof providerRoute === 'string') return providerRoute;
  return PROBES.has(ctx.path) ? ctx.path : 'unmatched';
}

/**
 * Must run first, around everything else: gives the request its id (the caller's valid
 * `X-Request-Id`, or a new one), returns it in the response header, makes it known to every
 * log line and event of the request (AsyncLocalStorage), and once the response is sent (or the
 * connection dropped) writes one access-log line and observes the duration.
 *
 * The line has the route template, not the path, and no query string: both can carry codes.
 */
export function observeRequests(deps: { logger: Logger; metrics: Metrics }): Middleware {
  const accessLog = accessLogOf(deps.logger);
  return (ctx, next) => {
    const requestId = requestIdFrom(ctx.get('x-request-id') || undefined);
    const started = process.hrtime.bigint();
    // Read while the socket is still there: once a client hangs up, Koa's ip getter throws.
    const ip = ctx.ip;
    ctx.set('X-Request-Id', requestId);
    return runInRequest({ requestId }, async () => {
      // The line is written from the response's event, outside the request's context: it names
      // the request's id itself. (Binding the callback to the context instead cost Node 20 a
      // deprecation wrapper per request, almost 2 % of a token request's CPU.)
      let logged = false;
      const done = (aborted: boolean) => {
        if (logged) return;
        logged = true;
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const route = routeTemplate(ctx);
        const status = ctx.res.statusCode;
        deps.metrics.observeRequest({ route, method: ctx.method, status, seconds });
        const line = {
          request_id: requestId,
          method: ctx.method,
          route,
          status,
          duration_ms: Math.round(seconds * 10_000) / 10,
          ip,
          user_agent: ctx.get('user-agent').slice(0, 256) || undefined,
          client_id: (ctx as { oidc?: { client?: { clientId?: string } } }).oidc?.client?.clientId,
          ...(aborted ? { aborted: true } : {}),
        };
        if (PROBES.has(route)) accessLog.debug(line, 'request');
        else accessLog.info(line, 'request');
      };
      ctx.res.once('finish', () => done(false));
      ctx.res.once('close', () => done(!ctx.res.writableFinished));
      try {
        await next();
      } catch (err) {
        // Koa answers an error that escapes every handler itself, after clearing the headers
        // set so far: the id must travel with the error to reach that answer.
        if (err && typeof err === 'object') {
          const headers = (err as { headers?: Record<string, string> }).headers;
          (err as { headers?: Record<string, string> }).headers = { ...headers, 'X-Request-Id': requestId };
        }
        throw err;
      }
    });
  };
}
