import type Koa from 'koa';
import type Provider from 'oidc-provider';
import { createDemoRouter } from '../entrypoints/demo/demo.routes.js';
import type { DevOutbox } from '../infrastructure/courier/dev-outbox.js';
import type { MessageRepository } from '../domain/delivery/message.repository.js';
import { devOutboxView } from '../entrypoints/ops/dev-outbox.routes.js';
import { createSesNotificationRouter, type SesNotificationDependencies } from '../entrypoints/webhooks/ses-notifications.routes.js';
import { createHealthRouter, type Readiness } from '../entrypoints/ops/health.routes.js';
import { errorHandler } from '../infrastructure/http/error-handler.js';
import { htmlErrorPage } from '../entrypoints/pages/provider-pages.js';
import { rememberedSignIn } from '../entrypoints/pages/way-onward.js';
import { securityHeaders } from '../infrastructure/http/security-headers.js';
import { PAGE_STYLE_HASHES } from '../entrypoints/pages/rendering/page-renderer.js';
import { inputGuard } from '../infrastructure/http/input-guard.js';
import { refuseCrossSiteForms } from '../infrastructure/http/same-origin-forms.js';
import { allowClientFormTargets } from '../entrypoints/oidc/form-targets.js';
import { answerEscapedErrors } from '../entrypoints/oidc/unavailable.js';
import { limitUserCodeGuesses, type UserCodeGuessLimits } from '../entrypoints/pages/device/user-code-guesses.js';
import { createInteractionRouter, type HostedPageDependencies } from '../entrypoints/pages/interaction.routes.js';
import { createAssetRouter } from '../entrypoints/pages/assets.routes.js';
import { createBrandingRouter } from '../entrypoints/pages/branding.routes.js';
import { createAccountRouter, type AccountDependencies } from '../entrypoints/account/account.routes.js';
import { createConsoleRouter } from '../entrypoints/console/console.routes.js';
import type { ConsoleDependencies } from '../entrypoints/console/console-section.js';
import { createLanguageRouter, pageLanguageMiddleware } from '../entrypoints/pages/language/language.routes.js';
import type { Logger } from '../infrastructure/observability/logger.js';
import type { Metrics } from '../infrastructure/observability/metrics.js';
import { observeRequests } from '../infrastructure/observability/request-observation.js';
import { Router } from '@koa/router';
import compose from 'koa-compose';
import { ADMIN_PREFIX, createAdminRouter, type AdminDependencies } from '../entrypoints/admin/admin.router.js';
import { sendProblem } from '../infrastructure/http/problem.js';
import { mountOwnRoutes, ownPathMatcher } from '../infrastructure/http/own-routes.js';

export interface HttpAppDependencies {
  provider: Provider;
  pages: HostedPageDependencies & { userCodeGuesses: UserCodeGuessLimits };
  logger: Logger;
  metrics: Metrics;
  issuer: string;
  cookieKeys: string[];
  trustProxy: number;
  demoEnabled: boolean;
  readiness: Readiness;
  admin: AdminDependencies;
  /** Present only outside production: the messages' statuses, and their text when the dev outbox delivers. */
  outbox?: { courier?: DevOutbox; messages: MessageRepository };
  /** SES bounce and complaint notifications, through an SNS subscription. */
  sesNotifications: SesNotificationDependencies;
  /** The person's own account page (/account) and the first-party sign-in it uses. */
  account: AccountDependencies;
  /** The admin console (/console) and the first-party sign-in it uses. */
  console: ConsoleDependencies;
}

/** Where Gatehouse's own pages post their forms (the provider's device and logout forms included). */
function isOwnFormPath(path: string): boolean {
  return path === '/device' || path === '/session/end/confirm' || ['/interaction/', '/forgot-password', '/account/', '/console/'].some((prefix) => path.startsWith(prefix));
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

  // Before every other middleware, the provider's own included: the request id, the access-log
  // line and the duration cover the whole request. (/metrics has its own port: metrics-server.ts.)
  app.middleware.unshift(observeRequests({ logger: deps.logger, metrics: deps.metrics }));
  const machine = machinePaths(app);
  // Next, what escapes every handler at a machine endpoint still gets an OAuth error in JSON.
  app.middleware.splice(1, 0, answerEscapedErrors((path) => machine.has(path), deps.logger));

  const ops = new Router();
  if (deps.outbox) {
    const outbox = deps.outbox;
    ops.get('/dev/outbox', async (ctx) => {
      ctx.body = { messages: devOutboxView(await outbox.messages.newest(100), outbox.courier) };
    });
  }
  const routers = [createHealthRouter(deps.readiness), ops, createInteractionRouter(deps.pages), createAssetRouter(), createBrandingRouter(deps.pages), createLanguageRouter({ secureCookies: deps.issuer.startsWith('https://') }), createAdminRouter(deps.admin), createDemoRouter({ issuer: deps.issuer, demoEnabled: deps.demoEnabled }), createSesNotificationRouter(deps.sesNotifications), createAccountRouter(deps.account), createConsoleRouter(deps.console)];
  // Which paths are Gatehouse's own is read from the routers (see own-routes.ts).
  const isOwnPath = ownPathMatcher(routers);
  app.use(
    forPages(machine, [
      // Before every page: the request's language (cookie, Accept-Language; ui_locales once known).
      pageLanguageMiddleware(),
      // The sign-in this browser started, for the way onward of every error page.
      rememberedSignIn(deps.pages.restartSeal),
    ]),
  );
  app.use(securityHeaders({ https: deps.issuer.startsWith('https://'), styleHashes: PAGE_STYLE_HASHES }));
  app.use(inputGuard({ htmlPage: htmlErrorPage, isOwnPath }));
  app.use(
    forPages(machine, [
      // What the page guards below cannot do for a storage fault (the device-code guess limit
      // counts in the database or Redis) is a "try again" page (503), not Koa's bare 500.
      errorHandler(deps.logger, htmlErrorPage) as Koa.Middleware,
      refuseCrossSiteForms({ issuer: deps.issuer, htmlPage: htmlErrorPage, isFormPath: isOwnFormPath }),
      allowClientFormTargets(),
      deps.pages.upstreamSignOut.middleware(),
      limitUserCodeGuesses(deps.pages.userCodeGuesses, () => deps.provider.cookieName('session'), deps.logger),
    ]),
  );

  mountOwnRoutes(app, routers, {
    before: [errorHandler(deps.logger, htmlErrorPage) as Koa.Middleware, explainMethodNotAllowed as Koa.Middleware],
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

/**
 * The provider's endpoints that only machines call: they answer JSON (or a JWT), never a page or
 * a form, whatever goes wrong. Token and introspection requests are most of the traffic, so the
 * page-only middleware (languages, the way onward of error pages, form checks) is not even
 * entered there. A path not listed gets all of it.
 */
const MACHINE_ROUTES = ['token', 'introspection', 'revocation', 'jwks', 'userinfo', 'pushed_authorization_request', 'backchannel_authentication'] as const;

/** Where the provider serves those of its machine endpoints it has enabled, as it is configured. */
function machinePaths(provider: Provider): ReadonlySet<string> {
  const paths = MACHINE_ROUTES.flatMap((route) => {
    try {
      const path: unknown = provider.pathFor(route);
      return typeof path === 'string' ? [path] : [];
    } catch {
      // A feature that is off (PAR, CIBA) has no route.
      return [];
    }
  });
  return new Set([...paths, '/.well-known/openid-configuration']);
}

/** Runs `middleware` in order for every request but those to `machinePaths`. */
function forPages(machinePaths: ReadonlySet<string>, middleware: Koa.Middleware[]): Koa.Middleware {
  const pages = compose(middleware);
  return (ctx, next) => (machinePaths.has(ctx.path) ? next() : pages(ctx, next));
}

/** A method a route does not take: said in the body too (problem+json on the API), not only in `Allow`. */
async function explainMethodNotAllowed(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  await next();
  if (ctx.status !== 405) return;
  const allow = ctx.response.get('Allow');
  // On the API the body may already hold the unknown-path problem: the 405 must say 405.
  if (ctx.path.startsWith(`${ADMIN_PREFIX}/`)) return sendProblem(ctx, { status: 405, title: `This call does not take ${ctx.method}; allowed: ${allow}` });
  if (ctx.body != null) return;
  ctx.status = 405;
  ctx.type = 'html';
  ctx.body = htmlErrorPage({ status: 405, title: 'This page cannot be used that way', message: `This address does not take ${ctx.method} requests.` });
}
