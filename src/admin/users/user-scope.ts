import type { UserRecord, UserRepository } from '../../accounts/user.repository.js';
import { GatehouseError } from '../../http/gatehouse-error.js';
import type { TenantRecord, TenantRepository } from '../../tenants/tenant.repository.js';
import { assertMayReadUsers } from '../access-policy.js';
import type { AdminActor } from '../admin-actor.js';
import { visibleTenant } from '../tenant-scope.js';

/**
 * `{t}` and `{id}` to a tenant and user the caller may see (404 otherwise, also for another
 * tenant's user), then may read users at all (403): the order DESIGN §5 promises.
 */
export async function visibleUser(deps: { tenants: TenantRepository; users: UserRepository }, actor: AdminActor, params: Record<string, string>): Promise<{ tenant: TenantRecord; user: UserRecord }> {
  const tenant = await visibleTenant(deps.tenants, actor, params.t!);
  const user = await deps.users.findById(params.id!);
  if (!user || user.tenant_id !== tenant.id) throw new GatehouseError('not_found', 'No such user.');
  assertMayReadUsers(actor);
  return { tenant, user };
}
