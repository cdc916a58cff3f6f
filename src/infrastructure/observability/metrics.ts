import { Registry, collectDefaultMetrics, Counter, Gauge } from 'prom-client';
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

  /**
   * The event log's health: events waiting to be written, and events lost because the queue was
   * full or the database refused them. A lost audit trail must page someone, so it is a counter
   * an alert can watch, read from the log whenever Prometheus scrapes.
   */
  watchEventLog(log: { readonly dropped: number; readonly queued: number }): void {
    let reported = 0;
    new Counter({
      name: 'gatehouse_events_dropped_total',
      help: 'Events that could not be written (queue full or database failing)',
      registers: [this.registry],
      collect() {
        const dropped = log.dropped;
        if (dropped > reported) this.inc(dropped - reported);
        reported = dropped;
      },
    });
    new Gauge({
      name: 'gatehouse_events_queued',
      help: 'Events waiting to be written to the database',
      registers: [this.registry],
      collect() {
        this.set(log.queued);
      },
    });
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
