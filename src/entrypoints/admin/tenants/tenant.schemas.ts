import { z } from 'zod';
import { tenantSettingsPatchSchema, tenantSettingsSchema } from '../../../domain/tenants/tenant-settings.js';

export const tenantSchema = z
  .object({ id: z.string().uuid(), slug: z.string(), name: z.string(), settings: tenantSettingsSchema, created_at: z.string() })
  .openapi('Tenant');

export const createTenantSchema = z
  .object({
    slug: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and hyphens, 1 to 63 characters'),
    name: z.string().trim().min(1).max(200),
    settings: tenantSettingsPatchSchema.optional(),
  })
  .strict()
  .openapi('CreateTenant');

export const updateTenantSchema = z
  .object({ name: z.string().trim().min(1).max(200).optional(), settings: tenantSettingsPatchSchema.optional() })
  .strict()
  .openapi('UpdateTenant');

export const tenantListSchema = z.object({ items: z.array(tenantSchema), next_cursor: z.string().nullable() }).openapi('TenantList');

export const smsUsageSchema = z
  .object({ month: z.string().openapi({ example: '2026-11' }), sent: z.number().int(), budget: z.number().int(), remaining: z.number().int() })
  .openapi('SmsUsage');
