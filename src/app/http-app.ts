import type Koa from 'koa';
import compose from 'koa-compose';
import type Provider from 'oidc-provider';
import { createDemoRouter } from '../entrypoints/demo/demo.routes.js';
import type { DevOutbox } from '../infrastructure/courier/dev-outbox.js';
import { createHealthRouter, type ReadinessCheck } from '../entrypoints/ops/health.routes.js';
import { errorHandler } from '../infrastructure/http/error-handler.js';
import { htmlErrorPage } from '../entrypoints/pages/provider-pages.js';
import { securityHeaders } from '../infrastructure/http/security-headers.js';
import { createInteractionRouter, type HostedPageDependencies } from '../entrypoints/pages/interaction.routes.js';
import type { Logger } from '../infrastructure/observability/logger.js';
import type { Metrics } from '../infrastructure/observability/metrics.js';
import { observeRequests } from '../infrastructure/observability/request-observation.js';
import { Router } from '@koa/router';
import { ADMIN_PREFIX, createAdminRouter, type AdminDependencies } from '../entrypoints/admin/admin.router.js';
import { sendProblem } from '../infrastructure/http/problem.js';

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

/** Paths Gatehouse serves itself; everything else is the provider's (the token endpoint stays lean). */
const OWN_PATHS = ['/healthz', '/readyz', '/dev', '/interaction', '/forgot-password', ADMIN_PREFIX, '/demo'];

function isOwnPath(path: string): boolean {
  return path === '/' || OWN_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * The one HTTP application is the OpenID Connect provider itself (a Koa application):
 * Gatehouse's own routes (health, metrics, hosted pages, admin API, demo) run first, through
 * `provider.use`, and only for their own paths, so a token request pays for no router it does
 * not need and for no second Koa context.
 */
export function createHttpApp(deps: HttpAppDependencies): Koa {
  const app = deps.provider;
  app.silent = true;

  // Before every other middleware, the provider's own included: the request id, the access-log
  // line and the duration cover the whole request. (/metrics has its own port: metrics-server.ts.)
  app.middleware.unshift(observeRequests({ logger: deps.logger, metrics: deps.metrics }));
  app.use(securityHeaders());

  const ops = new Router();
  if (deps.outbox) {
    const outbox = deps.outbox;
    ops.get('/dev/outbox', (ctx) => {
      ctx.body = { messages: outbox.list() };
    });
  }
  const routers = [createHealthRouter(deps.readiness), ops, createInteractionRouter(deps.pages), createAdminRouter(deps.admin), createDemoRouter({ issuer: deps.issuer, demoEnabled: deps.demoEnabled })];
  const own = compose<Koa.ParameterizedContext>([
    errorHandler(deps.logger, htmlErrorPage),
    ...routers.flatMap((router) => [router.routes(), router.allowedMethods()]),
    // An unknown admin path is an API error, not the provider's plain-text 404.
    async (ctx, next) => {
      if (!ctx.path.startsWith(`${ADMIN_PREFIX}/`)) return next();
      sendProblem(ctx, { status: 404, title: 'No such admin API call; see /admin/v1/openapi.json' });
    },
  ] as Koa.Middleware[]);
  app.use((ctx, next) => (isOwnPath(ctx.path) ? own(ctx as never, next) : next()));
  return app;
}
