import type { TenantRepository } from '../../domain/tenants/tenant.repository.js';
import type { TenantRecord } from '../../domain/tenants/tenant.js';
import { assertMayChangeTenant, assertTenantVisible } from './access-policy.js';
import type { AdminActor } from './admin-actor.js';

/** Resolves the `{t}` path segment (id or slug) to a tenant the caller may see, else 404. */
export async function visibleTenant(tenants: TenantRepository, actor: AdminActor, idOrSlug: string): Promise<TenantRecord> {
  const tenant = await tenants.findByIdOrSlug(idOrSlug);
  assertTenantVisible(actor, tenant?.id);
  return tenant!;
}

/** The `{t}` tenant for a call that changes it: visible to the caller (else 404), and theirs to change (else 403). */
export async function changeableTenant(tenants: TenantRepository, actor: AdminActor, idOrSlug: string): Promise<TenantRecord> {
  const tenant = await visibleTenant(tenants, actor, idOrSlug);
  assertMayChangeTenant(actor);
  return tenant;
}
