import { z } from 'zod';
import { CLIENT_KINDS, isConfidentialKind, type ClientKind, type ClientRecordWithUsage } from '../../../domain/clients/client.repository.js';
import { SCOPES } from '../../../domain/clients/scopes.js';
import { authMethodOf, DEFAULT_CLIENT_SETTINGS, MAX_AGE_LIMIT } from '../../../domain/clients/client-settings.js';
import { pageQuerySchema } from '../pagination.js';

const kind = z.enum(CLIENT_KINDS as [ClientKind, ...ClientKind[]]).openapi({
  description: 'web: confidential, authorization code. mobile: public, PKCE. downloader: public, device grant. integration: confidential, client_credentials.',
});
const name = z.string().trim().min(1).max(200);
const redirectUris = z
  .array(z.string().min(1).max(2000))
  .max(20)
  .openapi({
    description:
      'Matched exactly. web: https, or http on localhost/127.0.0.1/[::1]. mobile: a reverse-domain private-use scheme (com.example.app:/callback) or http://127.0.0.1[:port]/…. downloader, integration: none. No fragments.',
  });
const scopes = z
  .array(z.enum(SCOPES))
  .min(1)
  .max(20)
  .openapi({
    description:
      'Defaults: web and mobile openid profile email phone offline_access; downloader openid profile offline_access; integration openid. admin only for web; offline_access not for integration.',
  });

const uri = z.string().min(1).max(2000);

/**
 * What a relying party registers beside its redirect URIs (OpenID Connect Registration 1.0 §2
 * names). On a change, null puts a setting back to its default.
 */
const settingFields = {
  post_logout_redirect_uris: z.array(uri).max(20).openapi({
    description: 'Where RP-initiated logout may send the browser back to (post_logout_redirect_uri). Same rules as redirect_uris; web and mobile only. Default: none.',
  }),
  backchannel_logout_uri: uri.nullable().openapi({
    description:
      'Web clients: where Gatehouse POSTs a signed logout token (OpenID Connect Back-Channel Logout 1.0) when a session of theirs ends: sign-out, a password set by an administrator, sign-out everywhere, a disabled account. https, or http on localhost. Retried for about an hour. ID tokens then carry sid.',
  }),
  initiate_login_uri: uri.nullable().openapi({
    description: 'web and mobile: where the application starts a sign-in (OpenID Connect initiate_login_uri), always https. Error pages that cannot return to the application with an OAuth error link here. Default: none.',
  }),
  client_uri: uri.nullable().openapi({
    description: 'web and mobile: the application\'s home page, linked from error pages when it registers no initiate_login_uri. https (http on localhost outside production). Default: none.',
  }),
  token_endpoint_auth_method: z
    .enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'], {
      error: (issue) =>
        issue.input === 'client_secret_jwt'
          ? 'client_secret_jwt is not offered: Gatehouse keeps only a digest of client secrets, so it cannot check a signature made with one. Use private_key_jwt (with jwks) or client_secret_basic'
          : 'must be client_secret_basic, client_secret_post, private_key_jwt or none',
    })
    .nullable()
    .openapi({ description: 'web and integration: client_secret_basic (default), client_secret_post or private_key_jwt (with jwks). mobile and downloader: none.' }),
  jwks: z
    .object({ keys: z.array(z.record(z.string(), z.unknown())).max(10) })
    .strict()
    .nullable()
    .openapi({ description: 'Public keys (JWK Set) the client signs its private_key_jwt assertions with. Never a private key.' }),
  id_token_signed_response_alg: z.string().max(10).nullable().openapi({ description: 'Algorithm of its ID tokens; default RS256 (see id_token_signing_alg_values_supported). none is not offered.' }),
  default_max_age: z.number().int().min(0).max(MAX_AGE_LIMIT).nullable().openapi({ description: 'Seconds: a sign-in older than this asks for the password again, as if max_age were sent. Default: none.' }),
  require_auth_time: z.boolean().nullable().openapi({ description: 'ID tokens always carry auth_time. Default false (auth_time only when max_age is used).' }),
  require_pkce: z.boolean().nullable().openapi({
    description:
      'web only: whether authorization requests must use PKCE (S256). Default true. A server-side app that sends a nonce may turn it off, which classic relying parties (mod_auth_openidc, passport-openidconnect) need. Public kinds always use PKCE.',
  }),
  access_token_format: z.enum(['opaque', 'jwt']).nullable().openapi({
    description: 'Format of access tokens issued for the resources below: opaque (default; checked by introspection) or jwt (RFC 9068, verifiable with the issuer\'s JWKS until it expires). Tokens for userinfo stay opaque.',
  }),
  resources: z
    .array(z.object({ uri, scopes: z.array(z.string().min(1).max(100)).max(20) }).strict())
    .max(10)
    .openapi({ description: 'APIs the client may ask access tokens for with the resource parameter (RFC 8707), each with the scopes it defines, such as "orders:read". The token\'s aud is the API.' }),
};

const settingsOnCreate = Object.fromEntries(Object.entries(settingFields).map(([key, schema]) => [key, schema.optional()])) as { [K in keyof typeof settingFields]: z.ZodOptional<(typeof settingFields)[K]> };

export const createClientSchema = z.object({ kind, name, redirect_uris: redirectUris.optional(), scopes: scopes.optional(), ...settingsOnCreate }).strict().openapi('CreateClient');

export const updateClientSchema = z.object({ name: name.optional(), redirect_uris: redirectUris.optional(), scopes: scopes.optional(), ...settingsOnCreate }).strict().openapi('UpdateClient');

export const rotateSecretSchema = z
  .object({
    overlap_days: z.number().int().min(0).max(30).default(7).openapi({ description: 'Days the previous secret keeps working; 0 refuses it at once' }),
  })
  .strict()
  .openapi('RotateClientSecret');

export const clientListQuerySchema = pageQuerySchema;

const clientSecretInfoSchema = z
  .object({
    kind: z.enum(['current', 'previous']),
    created_at: z.string().nullable().optional().openapi({ description: 'current only; null for secrets set before creation times were kept' }),
    expires_at: z.string().optional().openapi({ description: 'previous only: until when it is accepted' }),
    last_used_at: z.string().nullable(),
  })
  .openapi('ClientSecretInfo');

export const clientSchema = z
  .object({
    client_id: z.string(),
    tenant: z.string().uuid(),
    kind,
    name: z.string(),
    redirect_uris: z.array(z.string()),
    scopes: z.array(z.string()),
    post_logout_redirect_uris: z.array(z.string()),
    backchannel_logout_uri: z.string().nullable(),
    initiate_login_uri: z.string().nullable(),
    client_uri: z.string().nullable(),
    token_endpoint_auth_method: z.string().openapi({ description: 'The method in force (the kind\'s default when none was registered)' }),
    jwks: settingFields.jwks,
    id_token_signed_response_alg: z.string(),
    default_max_age: z.number().nullable(),
    require_auth_time: z.boolean(),
    require_pkce: z.boolean().openapi({ description: 'Always true for public kinds' }),
    access_token_format: z.enum(['opaque', 'jwt']),
    resources: z.array(z.object({ uri: z.string(), scopes: z.array(z.string()) })),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    secrets: z.array(clientSecretInfoSchema).optional().openapi({ description: 'Confidential kinds only; never the secrets themselves' }),
  })
  .openapi('Client');

export const createdClientSchema = clientSchema
  .extend({ client_secret: z.string().optional().openapi({ description: 'Confidential kinds only. Shown once: Gatehouse keeps only a digest' }) })
  .openapi('CreatedClient');

export const rotatedSecretSchema = z
  .object({
    client_id: z.string(),
    client_secret: z.string().openapi({ description: 'Shown once: Gatehouse keeps only a digest' }),
    previous_secret_expires_at: z.string(),
  })
  .openapi('RotatedClientSecret');

export const clientListSchema = z.object({ items: z.array(clientSchema), next_cursor: z.string().nullable() }).openapi('ClientList');

export type ClientView = z.infer<typeof clientSchema>;

/**
 * The client as the admin API shows it. Built field by field so no digest of a secret can ever
 * slip into a response.
 */
export function clientView(client: ClientRecordWithUsage): ClientView {
  return {
    client_id: client.client_id,
    tenant: client.tenant_id!,
    kind: client.kind,
    name: client.name,
    redirect_uris: client.redirect_uris,
    scopes: client.scopes.split(' ').filter(Boolean),
    post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
    backchannel_logout_uri: client.backchannel_logout_uri ?? null,
    initiate_login_uri: client.initiate_login_uri ?? null,
    client_uri: client.client_uri ?? null,
    token_endpoint_auth_method: authMethodOf(client.kind, client.token_endpoint_auth_method),
    jwks: client.jwks ?? null,
    id_token_signed_response_alg: client.id_token_signed_response_alg ?? 'RS256',
    default_max_age: client.default_max_age ?? null,
    require_auth_time: client.require_auth_time ?? DEFAULT_CLIENT_SETTINGS.require_auth_time,
    require_pkce: isConfidentialKind(client.kind) ? client.require_pkce : true,
    access_token_format: client.access_token_format ?? 'opaque',
    resources: client.resources ?? [],
    created_at: client.created_at.toISOString(),
    last_used_at: iso(client.last_used_at),
    ...(isConfidentialKind(client.kind) ? { secrets: secretsOf(client) } : {}),
  };
}

function secretsOf(client: ClientRecordWithUsage): NonNullable<ClientView['secrets']> {
  const secrets: NonNullable<ClientView['secrets']> = [];
  if (client.secret_hash) secrets.push({ kind: 'current', created_at: iso(client.secret_created_at), last_used_at: iso(client.secret_last_used_at) });
  if (client.previous_secret_hash && client.previous_secret_expires_at) {
    secrets.push({ kind: 'previous', expires_at: client.previous_secret_expires_at.toISOString(), last_used_at: iso(client.previous_secret_last_used_at) });
  }
  return secrets;
}

function iso(at: Date | null): string | null {
  return at?.toISOString() ?? null;
}
