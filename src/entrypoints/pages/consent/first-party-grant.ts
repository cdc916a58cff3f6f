import type Provider from 'oidc-provider';
import type { UserRecord } from '../../../domain/users/user.js';
import { scopesForUser } from '../../../domain/sign-in/scope-policy.js';

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * Every client of Gatehouse is first-party (the vendor's or the tenant's own apps), so there is
 * no consent page: the grant gets the requested scopes the user may hold, and explicitly
 * rejects the others so the provider does not ask again.
 */
export async function grantFirstPartyScopes(provider: Provider, details: InteractionDetails, user: UserRecord): Promise<string> {
  const clientId = String(details.params.client_id);
  const requested = String(details.params.scope ?? 'openid').split(' ').filter(Boolean);
  const { granted, refused } = scopesForUser(requested, user.role);

  let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  if (!grant || grant.accountId !== user.id) grant = new provider.Grant({ accountId: user.id, clientId });
  grant.addOIDCScope(granted.join(' '));
  if (refused.length) grant.rejectOIDCScope(refused.join(' '));
  const missing = details.prompt.details as { missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
  // The APIs the client is registered for (resource-servers.ts), with the scopes they define.
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
  return grant.save();
}
