import type { AdapterPayload } from 'oidc-provider';
import { isConfidentialKind, type ClientRecord } from '../../domain/clients/client.repository.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Extra client metadata Gatehouse keeps beside the OAuth fields. Declared to the provider so
 * it survives its schema validation; never published (there is no registration endpoint).
 */
export const GATEHOUSE_CLIENT_METADATA = ['gh_tenant', 'gh_kind', 'gh_operator', 'gh_secrets'] as const;

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
    ...(confidential ? { client_secret: `sha256:${client.secret_hash ?? 'none'}`, token_endpoint_auth_method: 'client_secret_basic' as const } : { token_endpoint_auth_method: 'none' as const }),
    gh_tenant: client.tenant_id,
    gh_kind: client.kind,
    gh_operator: client.is_operator,
    gh_secrets: secrets,
  };
  switch (client.kind) {
    case 'web':
      return { ...base, application_type: 'web', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: client.redirect_uris, post_logout_redirect_uris: client.post_logout_redirect_uris };
    case 'mobile':
      return { ...base, application_type: 'native', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: client.redirect_uris, post_logout_redirect_uris: client.post_logout_redirect_uris };
    case 'downloader':
      return { ...base, application_type: 'native', grant_types: [DEVICE_GRANT, 'refresh_token'], response_types: [], redirect_uris: [] };
    case 'integration':
      return { ...base, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };
  }
}
