import { z } from 'zod';
import { isTimeZone } from '../../infrastructure/formatting/human-time.js';

const timeZone = z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin" or "UTC"');

/**
 * A tenant's settings (DESIGN §5, defaults of §7). Stored as the administrator wrote them;
 * read through `effectiveSettings`, which fills in every default, so a new default reaches
 * existing tenants without a migration.
 */
export const tenantSettingsSchema = z
  .object({
    /** ISO 3166 country of the tenant: how national phone numbers are read; default SMS country. */
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "US"').default('US'),
    /** IANA time zone in which emails state times ("locked until Tue 24 Nov 2026, 11:42 CET"). */
    time_zone: timeZone.default('UTC'),
    mfa: z
      .object({
        /** off: password only; optional: users with a phone get the SMS step; required: everyone. */
        mode: z.enum(['off', 'optional', 'required']).default('off'),
        /** Days a browser that passed the second step is remembered (per method). */
        reverify_days: z.number().int().min(1).max(365).default(30),
        /** The second-factor methods users may set up and use; without `sms`, texts are never sent. */
        methods: z
          .array(z.enum(['sms', 'totp', 'passkey', 'recovery_code']))
          .min(1)
          .max(4)
          .refine((methods) => new Set(methods).size === methods.length, 'each method once')
          .default(['sms', 'totp', 'passkey', 'recovery_code']),
        /** A passkey alone (with the person verified on the device) may sign in, without the password. */
        passwordless: z.boolean().default(false),
      })
      .strict()
      .default({ mode: 'off', reverify_days: 30, methods: ['sms', 'totp', 'passkey', 'recovery_code'], passwordless: false }),
    sms: z
      .object({
        monthly_budget: z.number().int().min(0).max(1_000_000).default(500),
        /** Countries SMS may go to; empty means the tenant's own country. */
        allowed_countries: z.array(z.string().regex(/^[A-Z]{2}$/)).max(250).default([]),
      })
      .strict()
      .default({ monthly_budget: 500, allowed_countries: [] }),
    lockout: z
      .object({
        max_failures: z.number().int().min(3).max(100).default(5),
        base_lock_seconds: z.number().int().min(1).max(3600).default(60),
        max_lock_seconds: z.number().int().min(1).max(86_400).default(900),
        username_max_failures: z.number().int().min(5).max(1000).default(20),
        ip_failures_per_hour: z.number().int().min(10).max(100_000).default(100),
      })
      .strict()
      .default({ max_failures: 5, base_lock_seconds: 60, max_lock_seconds: 900, username_max_failures: 20, ip_failures_per_hour: 100 }),
    password: z
      .object({
        min_length: z.number().int().min(10).max(128).default(10),
        temporary_ttl_days: z.number().int().min(1).max(90).default(7),
      })
      .strict()
      .default({ min_length: 10, temporary_ttl_days: 7 }),
    events: z
      .object({ retention_days: z.number().int().min(1).max(3650).default(90) })
      .strict()
      .default({ retention_days: 90 }),
  })
  .strict();

export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

/** What a PATCH may carry: any subset, nested. */
export const tenantSettingsPatchSchema = z
  .object({
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "US"'),
    time_zone: timeZone,
    mfa: tenantSettingsSchema.shape.mfa.unwrap().partial(),
    sms: tenantSettingsSchema.shape.sms.unwrap().partial(),
    lockout: tenantSettingsSchema.shape.lockout.unwrap().partial(),
    password: tenantSettingsSchema.shape.password.unwrap().partial(),
    events: tenantSettingsSchema.shape.events.unwrap().partial(),
  })
  .partial()
  .strict();

export type TenantSettingsPatch = z.infer<typeof tenantSettingsPatchSchema>;

/** Every default, for a tenant that wrote nothing (and for strangers, who have no tenant). */
export const DEFAULT_TENANT_SETTINGS: TenantSettings = Object.freeze(tenantSettingsSchema.parse({}));

/** Parses stored settings, filling in every default; only the tenant repository calls it. */
export function effectiveSettings(stored: unknown): TenantSettings {
  const parsed = tenantSettingsSchema.safeParse(stored ?? {});
  // Stored settings were validated on the way in; should one ever be unreadable, defaults are
  // the safe reading rather than a failed sign-in.
  return parsed.success ? parsed.data : tenantSettingsSchema.parse({});
}

/** Applies a PATCH section by section; the result is validated as a whole. */
export function mergeSettings(stored: unknown, patch: TenantSettingsPatch): Record<string, unknown> {
  const current = (stored ?? {}) as Record<string, Record<string, unknown> | string>;
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    merged[key] = typeof value === 'object' && value !== null ? { ...((current[key] as object) ?? {}), ...value } : value;
  }
  return merged;
}
