import type Koa from 'koa';
import type Provider from 'oidc-provider';
import { createDemoRouter } from '../entrypoints/demo/demo.routes.js';
import type { DevOutbox } from '../infrastructure/courier/dev-outbox.js';
import { createHealthRouter, type Readiness } from '../entrypoints/ops/health.routes.js';
import { errorHandler } from '../infrastructure/http/error-handler.js';
import { htmlErrorPage } from '../entrypoints/pages/provider-pages.js';
import { securityHeaders } from '../infrastructure/http/security-headers.js';
import { createInteractionRouter, type HostedPageDependencies } from '../entrypoints/pages/interaction.routes.js';
import type { Logger } from '../infrastructure/observability/logger.js';
import type { Metrics } from '../infrastructure/observability/metrics.js';
import { Router } from '@koa/router';
import { ADMIN_PREFIX, createAdminRouter, type AdminDependencies } from '../entrypoints/admin/admin.router.js';
import { sendProblem } from '../infrastructure/http/problem.js';
import { mountOwnRoutes } from '../infrastructure/http/own-routes.js';

export interface HttpAppDependencies {
  provider: Provider;
  pages: HostedPageDependencies;
  logger: Logger;
  metrics: Metrics;
  issuer: string;
  cookieKeys: string[];
  trustProxy: number;
  demoEnabled: boolean;
  readiness: Readiness;
  admin: AdminDependencies;
  /** Present only outside production. */
  outbox?: DevOutbox;
}

/**
 * The one HTTP application is the OpenID Connect provider itself (a Koa application):
 * Gatehouse's own routes (health, metrics, hosted pages, admin API, demo) run first, through
 * `provider.use`, and only for the paths their routes declare (see own-routes.ts), so a token
 * request pays for no router it does not need and for no second Koa context. A new router only
 * needs adding to `routers`.
 */
export function createHttpApp(deps: HttpAppDependencies): Koa {
  const app = deps.provider;
  app.silent = true;

  app.use(securityHeaders());
  app.use(deps.metrics.middleware());

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
  const routers = [createHealthRouter(deps.readiness), ops, createInteractionRouter(deps.pages), createAdminRouter(deps.admin), createDemoRouter({ issuer: deps.issuer, demoEnabled: deps.demoEnabled })];
  mountOwnRoutes(app, routers, {
    before: [errorHandler(deps.logger, htmlErrorPage) as Koa.Middleware],
    after: [
      // An unknown admin path is an API error, not the provider's plain-text 404.
      async (ctx, next) => {
        if (!ctx.path.startsWith(`${ADMIN_PREFIX}/`)) return next();
        sendProblem(ctx, { status: 404, title: 'No such admin API call; see /admin/v1/openapi.json' });
      },
    ],
  });
  return app;
}
