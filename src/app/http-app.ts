import Koa from 'koa';
import type Provider from 'oidc-provider';
import { createDemoRouter } from '../demo/demo.routes.js';
import type { DevOutbox } from '../courier/dev-outbox.js';
import { createHealthRouter, type ReadinessCheck } from '../http/health.routes.js';
import { errorHandler } from '../http/error-handler.js';
import { securityHeaders } from '../http/security-headers.js';
import { createInteractionRouter } from '../interactions/interaction.routes.js';
import type { InteractionDependencies } from '../interactions/interaction-context.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { Router } from '@koa/router';

export interface HttpAppDependencies extends InteractionDependencies {
  provider: Provider;
  logger: Logger;
  metrics: Metrics;
  issuer: string;
  cookieKeys: string[];
  trustProxy: number;
  demoEnabled: boolean;
  readiness: ReadinessCheck[];
  /** Present only outside production. */
  outbox?: DevOutbox;
}

/**
 * The one HTTP application: Gatehouse's own routes first (health, metrics, hosted pages, demo),
 * then everything else is the OpenID Connect provider's.
 */
export function createHttpApp(deps: HttpAppDependencies): Koa {
  const app = new Koa({ keys: deps.cookieKeys, proxy: deps.trustProxy > 0, maxIpsCount: deps.trustProxy });
  app.silent = true;

  app.use(securityHeaders());
  app.use(deps.metrics.middleware());
  app.use(errorHandler(deps.logger));

  const ops = new Router();
  ops.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  if (deps.outbox) {
    const outbox = deps.outbox;
    ops.get('/dev/outbox', (ctx) => {
      ctx.body = { messages: outbox.list() };
    });
  }
  for (const router of [createHealthRouter(deps.readiness), ops, createInteractionRouter(deps), createDemoRouter({ issuer: deps.issuer, demoEnabled: deps.demoEnabled })]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }

  const provider = deps.provider.callback();
  app.use(async (ctx) => {
    // Hand the raw request to the provider's own Koa application.
    ctx.respond = false;
    await provider(ctx.req, ctx.res);
  });
  return app;
}
