import type { ClientAdminService } from '../../../domain/clients/client-admin.service.js';
import type { ClientRecordWithUsage } from '../../../domain/clients/client.repository.js';
import type { TenantRepository } from '../../../domain/tenants/tenant.repository.js';
import type { TenantRecord } from '../../../domain/tenants/tenant.js';
import { GatehouseError } from '../../../infrastructure/http/gatehouse-error.js';
import { assertMayManageClients } from '../access-policy.js';
import type { AdminActor } from '../admin-actor.js';
import { visibleTenant } from '../tenant-scope.js';

export interface ClientScopeDependencies {
  tenants: TenantRepository;
  clientAdmin: ClientAdminService;
}

/** `{t}` to a tenant the caller may see (404), then may manage the clients of (403): the admin API and the console. */
export async function clientManagingTenant(deps: ClientScopeDependencies, actor: AdminActor, idOrSlug: string): Promise<TenantRecord> {
  const tenant = await visibleTenant(deps.tenants, actor, idOrSlug);
  assertMayManageClients(actor);
  return tenant;
}

/** `{t}` and `{id}` to a tenant and one of its clients (404, also for another tenant's), then 403. */
export async function manageableClient(deps: ClientScopeDependencies, actor: AdminActor, idOrSlug: string, clientId: string): Promise<{ tenant: TenantRecord; client: ClientRecordWithUsage }> {
  const tenant = await visibleTenant(deps.tenants, actor, idOrSlug);
  const client = await deps.clientAdmin.find(tenant, clientId);
  if (!client) throw new GatehouseError('not_found', 'No such client.');
  assertMayManageClients(actor);
  return { tenant, client };
}
