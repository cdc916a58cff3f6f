import { z } from 'zod';

const claimName = z.string().trim().min(1).max(100);
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a domain name such as "example.com"');

export const ssoConnectionInputSchema = z
  .object({
    kind: z.enum(['entra', 'oidc']).openapi({ description: '`entra`: Microsoft Entra ID by its directory id; `oidc`: any OpenID Connect issuer' }),
    entra_tenant_id: z.string().uuid('the directory (tenant) id, a GUID').optional().openapi({ description: 'Entra only: the directory (tenant) id' }),
    issuer: z.string().url().max(500).optional().openapi({ description: '`oidc` only: the issuer URL (its /.well-known/openid-configuration is read)' }),
    display_name: z.string().trim().min(1).max(60).optional().openapi({ description: 'What the pages call the provider ("Microsoft", "Contoso sign-in")' }),
    client_id: z.string().trim().min(1).max(200),
    client_secret: z.string().min(1).max(500).optional().openapi({ description: 'Required when the connection is created; stored encrypted, never shown again' }),
    allowed_domains: z.array(domain).max(50).optional().openapi({ description: "The tenant's email domains: they route to this provider, and only people within them are admitted (empty: any)" }),
    claim_mapping: z
      .object({ username: claimName, email: claimName, name: claimName, given_name: claimName, family_name: claimName, phone: claimName })
      .partial()
      .strict()
      .optional()
      .openapi({ description: 'Upstream claim per profile field (default: preferred_username, email, name, given_name, family_name, phone_number)' }),
    enabled: z.boolean().optional().openapi({ description: 'The sign-in button and home-realm discovery send people upstream' }),
    required: z.boolean().optional().openapi({ description: "Password sign-in off for the tenant's users (implies enabled); linked users lose their Gatehouse password" }),
    jit: z.boolean().optional().openapi({ description: 'Create unknown people on their first sign-in (within the seat limit)' }),
    trust_upstream_mfa: z.boolean().optional().openapi({ description: "An upstream sign-in that asserts MFA (`amr` with `mfa`) replaces Gatehouse's second factor" }),
    upstream_logout: z.boolean().optional().openapi({ description: "Signing out of Gatehouse continues at the upstream's end-session endpoint" }),
  })
  .strict()
  .openapi('SsoConnectionInput');

export const ssoConnectionSchema = z
  .object({
    tenant_id: z.string().uuid(),
    kind: z.enum(['entra', 'oidc']),
    entra_tenant_id: z.string().nullable(),
    issuer: z.string().nullable(),
    display_name: z.string(),
    client_id: z.string(),
    client_secret_set: z.literal(true),
    allowed_domains: z.array(z.string()),
    claim_mapping: z.object({ username: z.string(), email: z.string(), name: z.string(), given_name: z.string(), family_name: z.string(), phone: z.string() }),
    enabled: z.boolean(),
    required: z.boolean(),
    jit: z.boolean(),
    trust_upstream_mfa: z.boolean(),
    upstream_logout: z.boolean(),
    redirect_uri: z.string().openapi({ description: 'Register this redirect URI at the upstream' }),
    post_logout_redirect_uri: z.string().openapi({ description: 'Register this sign-out redirect at the upstream (for upstream_logout)' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('SsoConnection');
