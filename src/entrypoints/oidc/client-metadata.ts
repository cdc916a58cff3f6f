import type { AdapterPayload } from 'oidc-provider';
import { isConfidentialKind, type ClientRecord, type ClientResource } from '../../domain/clients/client.repository.js';
import { authMethodOf } from '../../domain/clients/client-settings.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Extra client metadata Gatehouse keeps beside the OAuth fields. Declared to the provider so
 * it survives its schema validation; never published (there is no registration endpoint).
 */
export const GATEHOUSE_CLIENT_METADATA = ['gh_tenant', 'gh_kind', 'gh_operator', 'gh_secrets', 'gh_require_pkce', 'gh_access_token_format', 'gh_resources'] as const;

/** Gatehouse's own metadata of a provider client, as the policies read it. */
export interface GatehouseClientMetadata {
  gh_tenant?: string | null;
  gh_kind?: string;
  gh_require_pkce?: boolean;
  gh_access_token_format?: 'opaque' | 'jwt';
  gh_resources?: ClientResource[];
}

/** A secret the client may present: its SHA-256 digest, and until when it is accepted (rotation overlap). */
export interface AcceptedSecret {
  hash: string;
  previous: boolean;
  expires_at?: number;
}

/** Turns a stored client into the OAuth metadata oidc-provider understands, by kind. */
export function toProviderMetadata(client: ClientRecord): AdapterPayload {
  const confidential = isConfidentialKind(client.kind);
  const secrets: AcceptedSecret[] = [];
  if (client.secret_hash) secrets.push({ hash: client.secret_hash, previous: false });
  if (client.previous_secret_hash && client.previous_secret_expires_at) {
    secrets.push({
      hash: client.previous_secret_hash,
      previous: true,
      expires_at: Math.floor(new Date(client.previous_secret_expires_at).getTime() / 1000),
    });
  }
  const base = {
    client_id: client.client_id,
    client_name: client.name,
    scope: client.scopes,
    // Only digests are stored: the provider needs a value to know the client is confidential,
    // and compares presented secrets through our override (see client-authentication.ts).
    ...(confidential ? { client_secret: `sha256:${client.secret_hash ?? 'none'}` } : {}),
    token_endpoint_auth_method: authMethodOf(client.kind, client.token_endpoint_auth_method),
    ...(client.jwks ? { jwks: client.jwks } : {}),
    gh_tenant: client.tenant_id,
    gh_kind: client.kind,
    gh_operator: client.is_operator,
    gh_secrets: secrets,
    gh_require_pkce: confidential ? client.require_pkce !== false : true,
    gh_access_token_format: client.access_token_format ?? 'opaque',
    gh_resources: client.resources ?? [],
    // Where error pages send the application's people back to (way-onward.ts).
    ...(client.initiate_login_uri ? { initiate_login_uri: client.initiate_login_uri } : {}),
    ...(client.client_uri ? { client_uri: client.client_uri } : {}),
  };
  // What a client that signs people in registers about its ID tokens and sessions.
  const signIn = {
    ...(client.id_token_signed_response_alg ? { id_token_signed_response_alg: client.id_token_signed_response_alg as 'RS256' } : {}),
    ...(client.default_max_age !== null && client.default_max_age !== undefined ? { default_max_age: client.default_max_age } : {}),
    ...(client.require_auth_time ? { require_auth_time: true } : {}),
  };
  // Gatehouse always tells the app which session ended (sid), in ID tokens and logout tokens.
  const backchannel = client.backchannel_logout_uri ? { backchannel_logout_uri: client.backchannel_logout_uri, backchannel_logout_session_required: true } : {};
  const postLogout = { post_logout_redirect_uris: client.post_logout_redirect_uris ?? [] };
  switch (client.kind) {
    case 'web':
      return { ...base, ...signIn, ...backchannel, ...postLogout, application_type: 'web', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: client.redirect_uris };
    case 'mobile':
      return { ...base, ...signIn, ...postLogout, application_type: 'native', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: client.redirect_uris };
    case 'downloader':
      return { ...base, ...signIn, application_type: 'native', grant_types: [DEVICE_GRANT, 'refresh_token'], response_types: [], redirect_uris: [] };
    case 'integration':
      return { ...base, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };
  }
}
