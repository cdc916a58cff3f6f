import type { UpstreamEndpoint } from '../../infrastructure/federation/openid-upstream.js';

/** A tenant's sign-in through its own OpenID Connect provider: one row of `sso_connections`. */

/** `entra`: Microsoft Entra ID, found by its directory (tenant) id; `oidc`: any issuer, by discovery. */
export type ConnectionKind = 'entra' | 'oidc';

/** Which upstream claim fills which profile field of a user created or linked on sign-in. */
export interface ClaimMapping {
  username: string;
  email: string;
  name: string;
  given_name: string;
  family_name: string;
  phone: string;
}

export const DEFAULT_CLAIM_MAPPING: Readonly<ClaimMapping> = Object.freeze({
  username: 'preferred_username',
  email: 'email',
  name: 'name',
  given_name: 'given_name',
  family_name: 'family_name',
  phone: 'phone_number',
});

export interface SsoConnection {
  tenant_id: string;
  kind: ConnectionKind;
  /** Entra only: the directory's id (a GUID); tokens must carry it as `tid`. */
  entra_tenant_id: string | null;
  /** `oidc` only: the issuer, whose discovery document is at `/.well-known/openid-configuration`. */
  issuer: string | null;
  /** What the sign-in button says: "Sign in with <display_name>". */
  display_name: string;
  client_id: string;
  client_secret_sealed: string;
  /** Email domains of the tenant's people (lower case); empty: any. A domain routes to one tenant. */
  allowed_domains: string[];
  claim_mapping: ClaimMapping;
  /** The button and home-realm discovery send people upstream. */
  enabled: boolean;
  /** Password sign-in is off for the tenant's users (they have no Gatehouse password). */
  required: boolean;
  /** A person the upstream vouches for and Gatehouse does not know gets a user (within the seat limit). */
  jit: boolean;
  /** An upstream sign-in that asserts MFA counts as the second factor. */
  trust_upstream_mfa: boolean;
  /** Signing out of Gatehouse continues to the upstream's end-session endpoint. */
  upstream_logout: boolean;
  created_at: Date;
  updated_at: Date;
}

/** What the upstream client needs of a connection to talk to its provider. */
export function endpointOf(connection: SsoConnection): UpstreamEndpoint {
  return {
    key: connection.tenant_id,
    version: connection.updated_at.getTime(),
    entraTenantId: connection.kind === 'entra' ? connection.entra_tenant_id : null,
    issuer: connection.kind === 'oidc' ? connection.issuer : null,
    clientId: connection.client_id,
    sealedSecret: connection.client_secret_sealed,
  };
}

/**
 * The stable link between an upstream person and a Gatehouse user: Entra's object id within its
 * directory (`tid:oid`, as Microsoft advises), otherwise the issuer's subject. Never the email,
 * which the upstream may let people change.
 */
export function upstreamSubject(connection: Pick<SsoConnection, 'kind'>, claims: Record<string, unknown>): string | undefined {
  if (connection.kind === 'entra') {
    return typeof claims.tid === 'string' && typeof claims.oid === 'string' && claims.tid && claims.oid ? `${claims.tid}:${claims.oid}` : undefined;
  }
  return typeof claims.iss === 'string' && typeof claims.sub === 'string' && claims.sub ? `${claims.iss}|${claims.sub}` : undefined;
}

/** The domain of an email-like identifier, lower case; undefined for a plain name. */
export function domainOf(identifier: string | undefined): string | undefined {
  if (!identifier) return undefined;
  const at = identifier.lastIndexOf('@');
  return at > 0 && at < identifier.length - 1 ? identifier.slice(at + 1).toLowerCase() : undefined;
}
