import type { UserRepository } from '../../../domain/users/user.repository.js';
import type { UserRecord } from '../../../domain/users/user.js';
import { GatehouseError } from '../../../infrastructure/http/gatehouse-error.js';
import type { TenantRepository } from '../../../domain/tenants/tenant.repository.js';
import type { TenantRecord } from '../../../domain/tenants/tenant.js';
import { assertMayAccessUser } from '../access-policy.js';
import type { AdminActor } from '../admin-actor.js';
import { visibleTenant } from '../tenant-scope.js';

/**
 * `{t}` and `{id}` to a tenant and user the caller may see (404 otherwise, also for another
 * tenant's user), then may access this user (403: members may not use the admin API, staff
 * only reach members): the order DESIGN §5 promises. Every per-user call goes through here.
 */
export async function visibleUser(deps: { tenants: TenantRepository; users: UserRepository }, actor: AdminActor, params: Record<string, string>): Promise<{ tenant: TenantRecord; user: UserRecord }> {
  const tenant = await visibleTenant(deps.tenants, actor, params.t!);
  const user = await deps.users.findById(params.id!);
  if (!user || user.tenant_id !== tenant.id) throw new GatehouseError('not_found', 'No such user.');
  assertMayAccessUser(actor, user);
  return { tenant, user };
}
