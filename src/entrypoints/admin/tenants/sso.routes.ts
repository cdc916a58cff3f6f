import type { SsoConnectionRepository } from '../../../domain/federation/sso-connection.repository.js';
import type { SsoConnectionService } from '../../../domain/federation/sso-connection.service.js';
import type { TenantRepository } from '../../../domain/tenants/tenant.repository.js';
import { GatehouseError } from '../../../infrastructure/http/gatehouse-error.js';
import { eventActor } from '../admin-actor.js';
import type { AdminApi } from '../admin-route.js';
import { changeableTenant } from '../tenant-scope.js';
import { ssoConnectionInputSchema, ssoConnectionSchema } from './sso.schemas.js';

export interface SsoRouteDependencies {
  tenants: TenantRepository;
  ssoConnections: SsoConnectionRepository;
  ssoConnectionAdmin: SsoConnectionService;
}

/** A tenant's single sign-on through its own provider: its administrators and operators. */
export function registerSsoRoutes(api: AdminApi, deps: SsoRouteDependencies): void {
  api.route({
    method: 'get',
    path: '/tenants/{t}/sso',
    summary: "The tenant's single sign-on connection (Microsoft Entra ID or another OpenID Connect provider)",
    success: { status: 200, schema: ssoConnectionSchema, description: 'The connection, without its secret' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const tenant = await changeableTenant(deps.tenants, actor, params.t!);
      const connection = await deps.ssoConnections.ofTenant(tenant.id);
      if (!connection) throw new GatehouseError('not_found', 'This tenant has no single sign-on connection.');
      return deps.ssoConnectionAdmin.view(connection);
    },
  });

  api.route({
    method: 'put',
    path: '/tenants/{t}/sso',
    summary: "Set up or change the tenant's single sign-on connection (the secret only when it is new or changes)",
    body: ssoConnectionInputSchema,
    success: { status: 200, schema: ssoConnectionSchema, description: 'The connection, without its secret' },
    errors: [403, 404, 409],
    handler: async ({ actor, params, body }) => {
      const tenant = await changeableTenant(deps.tenants, actor, params.t!);
      return deps.ssoConnectionAdmin.view(await deps.ssoConnectionAdmin.save(tenant, body, eventActor(actor)));
    },
  });

  api.route({
    method: 'delete',
    path: '/tenants/{t}/sso',
    summary: "Remove the tenant's single sign-on (its users sign in with Gatehouse passwords again: send them a reset)",
    success: { status: 204, description: 'Removed' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const tenant = await changeableTenant(deps.tenants, actor, params.t!);
      await deps.ssoConnectionAdmin.remove(tenant, eventActor(actor));
    },
  });
}
