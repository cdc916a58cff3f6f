import Koa from 'koa';
import type Provider from 'oidc-provider';
import { createDemoRouter } from '../demo/demo.routes.js';
import type { DevOutbox } from '../courier/dev-outbox.js';
import { createHealthRouter, type ReadinessCheck } from '../http/health.routes.js';
import { errorHandler } from '../http/error-handler.js';
import { securityHeaders } from '../http/security-headers.js';
import { createInteractionRouter, type HostedPageDependencies } from '../interactions/interaction.routes.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { Router } from '@koa/router';
import { ADMIN_PREFIX, createAdminRouter, type AdminDependencies } from '../admin/admin.router.js';
import { sendProblem } from '../http/problem.js';

export interface HttpAppDependencies {
  provider: Provider;
  pages: HostedPageDependencies;
  logger: Logger;
  metrics: Metrics;
  issuer: string;
  cookieKeys: string[];
  trustProxy: number;
  demoEnabled: boolean;
  readiness: ReadinessCheck[];
  admin: AdminDependencies;
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
  if (deps.issuer.startsWith('https://')) {
    // Browsers reach Gatehouse over TLS only (the issuer says so), even when TLS ends at an
    // ingress: mark cookies Secure without trusting forwarded headers.
    app.use(async (ctx, next) => {
      (ctx.cookies as unknown as { secure: boolean }).secure = true;
      await next();
    });
  }
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
  for (const router of [createHealthRouter(deps.readiness), ops, createInteractionRouter(deps.pages), createAdminRouter(deps.admin), createDemoRouter({ issuer: deps.issuer, demoEnabled: deps.demoEnabled })]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }

  // An unknown admin path is an API error, not the provider's plain-text 404.
  app.use(async (ctx, next) => {
    if (!ctx.path.startsWith(`${ADMIN_PREFIX}/`)) return next();
    sendProblem(ctx, { status: 404, title: 'No such admin API call; see /admin/v1/openapi.json' });
  });

  const provider = deps.provider.callback();
  app.use(async (ctx) => {
    // Hand the raw request to the provider's own Koa application.
    ctx.respond = false;
    await provider(ctx.req, ctx.res);
  });
  return app;
}
