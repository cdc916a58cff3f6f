import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import { authenticateAdmin, type AdminAuthenticationDependencies } from './admin-authentication.js';
import { AdminApi } from './admin-route.js';
import { rejectMalformedBody } from '../../infrastructure/http/input-guard.js';
import { registerClientRoutes, type ClientRouteDependencies } from './clients/client.routes.js';
import { registerTenantRoutes } from './tenants/tenant.routes.js';
import { registerSsoRoutes, type SsoRouteDependencies } from './tenants/sso.routes.js';
import { registerLogoRoutes, type LogoRouteDependencies } from './tenants/logo.routes.js';
import { registerUserRoutes, type UserRouteDependencies } from './users/user.routes.js';
import { registerEventRoutes, type EventRouteDependencies } from './events/event.routes.js';
import { registerUserSupportRoutes, type UserSupportRouteDependencies } from './users/user-support.routes.js';
import { registerUserMethodRoutes, type UserMethodRouteDependencies } from './users/user-methods.routes.js';
import { registerMessageRoutes, type MessageRouteDependencies } from './messages/message.routes.js';
import { registerKeyRoutes, type KeyRouteDependencies } from './keys/key.routes.js';
import type { TenantService } from '../../domain/tenants/tenant.service.js';
import type { SmsBudget } from '../../domain/second-factor/sms/sms-budget.js';

export type AdminDependencies = AdminAuthenticationDependencies &
  UserRouteDependencies &
  UserSupportRouteDependencies &
  UserMethodRouteDependencies &
  MessageRouteDependencies &
  EventRouteDependencies &
  ClientRouteDependencies &
  KeyRouteDependencies &
  SsoRouteDependencies &
  LogoRouteDependencies & { tenantService: TenantService; smsBudget: SmsBudget; issuer: string };

export const ADMIN_PREFIX = '/admin/v1';

/** The admin API (DESIGN §5): every call below authenticates, then authorizes from the database. */
export function createAdminRouter(deps: AdminDependencies): Router {
  const router = new Router({ prefix: ADMIN_PREFIX });
  const api = new AdminApi(router, deps.issuer);

  // Admin answers carry personal data and, once, secrets: never cached anywhere.
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  // The document is public: it describes the API, not any tenant's data.
  // CORS, so an API viewer served from elsewhere can load it; it carries no credentials.
  router.get('/openapi.json', (ctx) => {
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.body = document;
  });
  router.use(bodyParser({ enableTypes: ['json'], jsonLimit: '256kb', encoding: 'utf-8' }));
  // Only the path decides the format here (problem+json), so the page renderer is never used.
  router.use(rejectMalformedBody(() => ''));
  router.use(authenticateAdmin(deps));

  registerTenantRoutes(api, deps);
  registerSsoRoutes(api, deps);
  registerLogoRoutes(api, deps);
  registerUserRoutes(api, deps);
  registerUserSupportRoutes(api, deps);
  registerUserMethodRoutes(api, deps);
  registerMessageRoutes(api, deps);
  registerEventRoutes(api, deps);
  registerClientRoutes(api, deps);
  registerKeyRoutes(api, deps);
  const document = api.document(`${deps.issuer}${ADMIN_PREFIX}`);
  return router;
}
