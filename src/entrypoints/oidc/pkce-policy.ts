import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { GatehouseClientMetadata } from './client-metadata.js';
import { REFUSAL_WORDING } from './refusal-wording.js';

type ProviderClient = NonNullable<KoaContextWithOIDC['oidc']['client']>;

/**
 * `pkce.required` of the provider, asked only when an authorization request has no
 * code_challenge. Public clients always need PKCE; a confidential one unless its registration
 * turned `require_pkce` off. The refusal names the setting, so the developer knows what to change
 * (the provider's own text only says that a policy requires it).
 */
export function pkceRequired(_ctx: KoaContextWithOIDC, client: ProviderClient): boolean {
  if (client.clientAuthMethod === 'none') throw new errors.InvalidRequest(REFUSAL_WORDING.pkce_required_public);
  if ((client as unknown as GatehouseClientMetadata).gh_require_pkce !== false) throw new errors.InvalidRequest(REFUSAL_WORDING.pkce_required_confidential);
  return false;
}
