import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import { clientTenant } from '../../domain/clients/client-tenancy.js';
import { brandOf, type Brand } from '../../domain/tenants/branding.js';
import type { TenantRecord } from '../../domain/tenants/tenant.js';
import type { TenantRepository } from '../../domain/tenants/tenant.repository.js';
import type { SignInFactsLoader } from '../../domain/sign-in/sign-in-facts.js';
import { showingBrand } from './rendering/page-brand.js';

export interface PageBrandDependencies {
  provider: Provider;
  tenants: TenantRepository;
  signInFacts: SignInFactsLoader;
}

/** How long a tenant's look is reused before it is read again (a change shows within this). */
const BRAND_TTL_MS = 30_000;
const MAX_CACHED_BRANDS = 10_000;

/**
 * Every page of a sign-in shows the organisation it belongs to: the tenant of a tenant-owned
 * client, or the person's tenant once the sign-in knows who they are. A vendor's app for
 * everyone, before anyone is known, shows Gatehouse's plain look. Looks are kept for a few
 * seconds per tenant, so a sign-in's form posts read no tenant for them.
 */
export function brandSignInPages(deps: PageBrandDependencies) {
  const cache = new Map<string, { brand: Brand; at: number }>();
  const brandOfTenant = async (tenantId: string, read: () => Promise<TenantRecord | undefined>): Promise<Brand | undefined> => {
    const cached = cache.get(tenantId);
    if (cached && Date.now() - cached.at < BRAND_TTL_MS) return cached.brand;
    const tenant = await read();
    if (!tenant) return undefined;
    if (cache.size >= MAX_CACHED_BRANDS) cache.clear();
    const brand = brandOf(tenant);
    cache.set(tenantId, { brand, at: Date.now() });
    return brand;
  };
  return async (ctx: Context, next: Next) => {
    const uid = /^\/interaction\/([^/]+)/.exec(ctx.path)?.[1];
    const brand = uid ? await brandForInteraction(deps, ctx, uid, brandOfTenant).catch(() => undefined) : undefined;
    return showingBrand(brand, next);
  };
}

async function brandForInteraction(
  deps: PageBrandDependencies,
  ctx: Context,
  uid: string,
  brandOfTenant: (tenantId: string, read: () => Promise<TenantRecord | undefined>) => Promise<Brand | undefined>,
): Promise<Brand | undefined> {
  const interaction = await deps.provider.Interaction.find(uid);
  if (!interaction) return undefined;
  const clientId = (interaction.params as { client_id?: unknown }).client_id;
  const client = typeof clientId === 'string' ? await deps.provider.Client.find(clientId) : undefined;
  const ownerTenant = clientTenant(client);
  if (ownerTenant) return brandOfTenant(ownerTenant, () => deps.tenants.findById(ownerTenant));
  const accountId = (interaction.result as { login?: { accountId?: string } } | undefined)?.login?.accountId ?? interaction.session?.accountId;
  if (!accountId) return undefined;
  // The same facts the page itself reads: no second read of the user or the tenant.
  const facts = await deps.signInFacts.forAccount(ctx, accountId);
  return facts && brandOfTenant(facts.user.tenant_id, () => facts.tenant());
}
