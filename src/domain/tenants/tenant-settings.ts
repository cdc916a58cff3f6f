import { z } from 'zod';
import { isTimeZone } from '../../infrastructure/formatting/human-time.js';
import { brandingPatchSchema, brandingSchema } from './branding.js';

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
        /** Operator-only: the highest `monthly_budget` the tenant's administrators may set. */
        budget_ceiling: z.number().int().min(0).max(1_000_000).default(500),
        /** Operator-only: the countries administrators may allow; empty means the tenant's own country. */
        country_ceiling: z.array(z.string().regex(/^[A-Z]{2}$/)).max(250).default([]),
      })
      .strict()
      .default({ monthly_budget: 500, allowed_countries: [], budget_ceiling: 500, country_ceiling: [] }),
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
    seats: z
      .object({
        /** Operator-only: how many users that are not disabled the tenant may have; null: no limit. */
        limit: z.number().int().min(1).max(10_000_000).nullable().default(null),
      })
      .strict()
      .default({ limit: null }),
    /** How the tenant's sign-in pages and emails look: name, colour, support contact (the logo is uploaded apart). */
    branding: brandingSchema,
  })
  .strict();

export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

/**
 * A section as a PATCH carries it: any subset of its fields, and no defaults (zod fills a
 * default even into an optional field, and a patch must leave what it does not name alone).
 */
type WithoutDefaults<T extends z.ZodRawShape> = { [K in keyof T]: T[K] extends z.ZodDefault<infer Inner> ? Inner : T[K] };

function patchOf<T extends z.ZodRawShape>(section: z.ZodObject<T>) {
  const shape = Object.fromEntries(Object.entries(section.shape).map(([key, field]) => [key, field instanceof z.ZodDefault ? field.unwrap() : field])) as WithoutDefaults<T>;
  return z.object(shape).partial().strict();
}

/** What a PATCH may carry: any subset, nested. */
export const tenantSettingsPatchSchema = z
  .object({
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "US"'),
    time_zone: timeZone,
    mfa: patchOf(tenantSettingsSchema.shape.mfa.unwrap()),
    sms: patchOf(tenantSettingsSchema.shape.sms.unwrap()),
    lockout: patchOf(tenantSettingsSchema.shape.lockout.unwrap()),
    password: patchOf(tenantSettingsSchema.shape.password.unwrap()),
    events: patchOf(tenantSettingsSchema.shape.events.unwrap()),
    seats: patchOf(tenantSettingsSchema.shape.seats.unwrap()),
    branding: brandingPatchSchema,
  })
  .partial()
  .strict();

export type TenantSettingsPatch = z.infer<typeof tenantSettingsPatchSchema>;

/** Every default, for a tenant that wrote nothing (and for strangers, who have no tenant). */
export const DEFAULT_TENANT_SETTINGS: TenantSettings = Object.freeze(tenantSettingsSchema.parse({}));

const READINGS = new Map<string, TenantSettings>();
const MAX_READINGS = 5_000;

/**
 * Parses stored settings, filling in every default; only the tenant repository calls it.
 *
 * Every request of a sign-in reads its tenant, and parsing with every default costs more than
 * the rest of reading the tenant: a reading is kept per text of what is stored (a changed
 * setting is a new text) and shared, frozen, between the requests that read the same settings.
 */
export function effectiveSettings(stored: unknown): TenantSettings {
  const text = JSON.stringify(stored ?? {});
  let settings = READINGS.get(text);
  if (!settings) {
    const parsed = tenantSettingsSchema.safeParse(stored ?? {});
    // Stored settings were validated on the way in; should one ever be unreadable, defaults are
    // the safe reading rather than a failed sign-in.
    settings = deepFreeze(withinSmsCeilings(parsed.success ? parsed.data : tenantSettingsSchema.parse({})));
    // One reading per tenant at most; an installation with more tenants than this re-parses some.
    if (READINGS.size >= MAX_READINGS) READINGS.clear();
    READINGS.set(text, settings);
  }
  return settings;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The countries a tenant's administrators may allow SMS to. */
export function smsCountryCeiling(settings: Pick<TenantSettings, 'country' | 'sms'>): string[] {
  return settings.sms.country_ceiling.length ? settings.sms.country_ceiling : [settings.country];
}

/**
 * What is written is kept within the operator's ceilings (see TenantService), and what is read
 * is held to them too: a budget or a country written before there were ceilings never sends
 * beyond them.
 */
function withinSmsCeilings(settings: TenantSettings): TenantSettings {
  const ceiling = smsCountryCeiling(settings);
  const allowed = settings.sms.allowed_countries.filter((country) => ceiling.includes(country));
  return {
    ...settings,
    sms: {
      ...settings.sms,
      monthly_budget: Math.min(settings.sms.monthly_budget, settings.sms.budget_ceiling),
      allowed_countries: settings.sms.allowed_countries.length && !allowed.length ? ceiling : allowed,
    },
  };
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
