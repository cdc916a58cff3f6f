import { errors, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import type { GatehouseClientMetadata } from './client-metadata.js';
import { JWT_ACCESS_TOKEN_TTL, ACCESS_TOKEN_TTL } from './lifetimes.js';
import { REFUSAL_WORDING } from './refusal-wording.js';

type ProviderClient = NonNullable<KoaContextWithOIDC['oidc']['client']>;

/**
 * RFC 8707 resource indicators: a client may ask access tokens for the APIs its registration
 * lists, with the scopes each API defines. The token's audience is the API; it is a JWT
 * (RFC 9068, verifiable with the issuer's JWKS) when the client registered
 * `access_token_format: jwt`, opaque (checked by introspection) otherwise. Tokens without a
 * resource are for userinfo, and always opaque.
 */
export async function resourceServerInfo(_ctx: KoaContextWithOIDC, resourceIndicator: string, client: ProviderClient): Promise<ResourceServer> {
  const metadata = client as unknown as GatehouseClientMetadata;
  const resource = metadata.gh_resources?.find((r) => r.uri === resourceIndicator);
  if (!resource) throw new errors.InvalidTarget(REFUSAL_WORDING.resource_not_registered);
  if (metadata.gh_access_token_format === 'jwt') {
    return { scope: resource.scopes.join(' '), audience: resource.uri, accessTokenFormat: 'jwt', accessTokenTTL: JWT_ACCESS_TOKEN_TTL };
  }
  return { scope: resource.scopes.join(' '), audience: resource.uri, accessTokenFormat: 'opaque', accessTokenTTL: ACCESS_TOKEN_TTL };
}
