import type { Middleware } from 'koa';

/**
 * Headers on every response, the provider's included: no framing (clickjacking of the sign-in
 * form), no referrer (authorization URLs carry state and codes), no MIME sniffing.
 */
export function securityHeaders(): Middleware {
  return async (ctx, next) => {
    ctx.set('Content-Security-Policy', "frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    await next();
  };
}
