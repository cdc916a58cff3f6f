import type { TenantRepository } from '../../../domain/tenants/tenant.repository.js';
import { tenantView, type TenantService } from '../../../domain/tenants/tenant.service.js';
import { assertMayCreateTenants, assertMaySeeTenantUsage } from '../access-policy.js';
import type { SmsBudget } from '../../../domain/second-factor/sms/sms-budget.js';
import { eventActor } from '../admin-actor.js';
import type { AdminApi } from '../admin-route.js';
import { decodeCursor, pageOf, pageQuerySchema } from '../pagination.js';
import { changeableTenant, visibleTenant } from '../tenant-scope.js';
import { createTenantSchema, smsUsageSchema, tenantListSchema, tenantSchema, updateTenantSchema } from './tenant.schemas.js';

/** Tenants: operators create and list them all; a tenant's people see their own. */
export function registerTenantRoutes(api: AdminApi, deps: { tenants: TenantRepository; tenantService: TenantService; smsBudget: SmsBudget; now?: () => Date }): void {
  api.route({
    method: 'get',
    path: '/tenants/{t}/sms-usage',
    summary: "This month's SMS count against the tenant's budget",
    success: { status: 200, schema: smsUsageSchema, description: 'Usage of the current month (UTC)' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const tenant = await visibleTenant(deps.tenants, actor, params.t!);
      assertMaySeeTenantUsage(actor);
      const { exhausted_at: _exhausted, ...usage } = await deps.smsBudget.usage(tenant, deps.now?.() ?? new Date());
      return usage;
    },
  });

  api.route({
    method: 'post',
    path: '/tenants',
    summary: 'Create a tenant (operators)',
    body: createTenantSchema,
    success: { status: 201, schema: tenantSchema, description: 'The tenant' },
    errors: [403, 409],
    handler: async ({ actor, body }) => {
      assertMayCreateTenants(actor);
      return tenantView(await deps.tenantService.create(body, eventActor(actor)));
    },
  });

  api.route({
    method: 'get',
    path: '/tenants',
    summary: 'List the tenants the caller may see',
    query: pageQuerySchema,
    success: { status: 200, schema: tenantListSchema, description: 'A page of tenants' },
    handler: async ({ actor, query }) => {
      const rows = await deps.tenants.list({ limit: query.limit, after: decodeCursor(query.cursor), onlyId: actor.kind === 'user' ? actor.user.tenant_id : undefined });
      const page = pageOf(rows, query.limit, (t) => ({ at: t.created_at.toISOString(), id: t.id }));
      return { items: page.items.map(tenantView), next_cursor: page.next_cursor };
    },
  });

  api.route({
    method: 'get',
    path: '/tenants/{t}',
    summary: 'Read a tenant and its effective settings',
    success: { status: 200, schema: tenantSchema, description: 'The tenant' },
    errors: [404],
    handler: async ({ actor, params }) => tenantView(await visibleTenant(deps.tenants, actor, params.t!)),
  });

  api.route({
    method: 'patch',
    path: '/tenants/{t}',
    summary: "Change a tenant's name or settings (administrators: SMS budget and countries within the operator's ceilings)",
    body: updateTenantSchema,
    success: { status: 200, schema: tenantSchema, description: 'The updated tenant' },
    errors: [403, 404, 422],
    handler: async ({ actor, params, body }) => {
      const tenant = await changeableTenant(deps.tenants, actor, params.t!);
      return tenantView(await deps.tenantService.update(tenant, body, eventActor(actor)));
    },
  });
}
