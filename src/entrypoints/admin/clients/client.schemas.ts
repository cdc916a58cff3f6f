import { z } from 'zod';
import { CLIENT_KINDS, isConfidentialKind, type ClientKind, type ClientRecordWithUsage } from '../../../domain/clients/client.repository.js';
import { SCOPES } from '../../../domain/clients/scopes.js';
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

export const createClientSchema = z.object({ kind, name, redirect_uris: redirectUris.optional(), scopes: scopes.optional() }).strict().openapi('CreateClient');

export const updateClientSchema = z.object({ name: name.optional(), redirect_uris: redirectUris.optional(), scopes: scopes.optional() }).strict().openapi('UpdateClient');

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
