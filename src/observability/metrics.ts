import { Registry, collectDefaultMetrics, Counter } from 'prom-client';
import type { Middleware } from 'koa';

/** Prometheus metrics (prom-client): process defaults plus Gatehouse's own counters. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpResponses = new Counter({
    name: 'gatehouse_http_responses_total',
    help: 'HTTP responses by route group and status class',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts responses; labels are coarse (first path segment) so cardinality stays bounded. */
  middleware(): Middleware {
    return async (ctx, next) => {
      try {
        await next();
      } finally {
        const route = '/' + (ctx.path.split('/')[1] ?? '');
        const known = ['/token', '/auth', '/interaction', '/device', '/me', '/jwks', '/admin', '/session', '/token/introspection', '/.well-known', '/demo', '/'];
        this.httpResponses.inc({ route: known.includes(route) ? route : 'other', status: `${Math.floor((ctx.res.statusCode || ctx.status) / 100)}xx` });
      }
    };
  }
}
