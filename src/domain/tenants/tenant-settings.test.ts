import { effectiveSettings, mergeSettings, tenantSettingsPatchSchema } from './tenant-settings.js';

describe('tenant settings', () => {
  it('fills every default of DESIGN §7', () => {
    expect(effectiveSettings({})).toEqual({
      country: 'US',
      time_zone: 'UTC',
      mfa: { mode: 'off', reverify_days: 30, methods: ['sms', 'totp', 'passkey', 'recovery_code'], passwordless: false },
      sms: { monthly_budget: 500, allowed_countries: [], budget_ceiling: 500, country_ceiling: [] },
      lockout: { max_failures: 5, base_lock_seconds: 60, max_lock_seconds: 900, username_max_failures: 20, ip_failures_per_hour: 100 },
      password: { min_length: 10, temporary_ttl_days: 7 },
      events: { retention_days: 90 },
      seats: { limit: null },
      branding: { display_name: null, primary_color: null, support_contact: null, support_url: null, logo_version: null },
    });
  });

  it('reads the same stored settings once, frozen, and a changed setting anew', () => {
    const stored = { mfa: { mode: 'required' }, lockout: { max_failures: 7 } };
    const first = effectiveSettings(stored);
    // A copy of the same settings (another request's row) shares the reading.
    expect(effectiveSettings(JSON.parse(JSON.stringify(stored)))).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.lockout)).toBe(true);
    expect(() => {
      (first.lockout as { max_failures: number }).max_failures = 3;
    }).toThrow(TypeError);
    const changed = effectiveSettings({ ...stored, lockout: { max_failures: 8 } });
    expect(changed).not.toBe(first);
    expect(changed.lockout.max_failures).toBe(8);
    expect(effectiveSettings(stored).lockout.max_failures).toBe(7);
  });

  it('merges a patch section by section, keeping what it does not name', () => {
    const merged = mergeSettings({ mfa: { mode: 'optional', reverify_days: 10 } }, { mfa: { mode: 'required' } });
    expect(effectiveSettings(merged).mfa).toEqual({ mode: 'required', reverify_days: 10, methods: ['sms', 'totp', 'passkey', 'recovery_code'], passwordless: false });
  });

  it('refuses unknown keys and out-of-range values', () => {
    expect(tenantSettingsPatchSchema.safeParse({ mfa: { mode: 'sometimes' } }).success).toBe(false);
    expect(tenantSettingsPatchSchema.safeParse({ password: { min_length: 4 } }).success).toBe(false);
    expect(tenantSettingsPatchSchema.safeParse({ colour: 'blue' }).success).toBe(false);
  });

  it('takes an IANA time zone, checked against the runtime\'s own list', () => {
    expect(tenantSettingsPatchSchema.safeParse({ time_zone: 'Europe/Berlin' }).success).toBe(true);
    expect(tenantSettingsPatchSchema.safeParse({ time_zone: 'America/Argentina/Buenos_Aires' }).success).toBe(true);
    const wrong = tenantSettingsPatchSchema.safeParse({ time_zone: 'Mars/Olympus' });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0]?.message).toMatch(/IANA time zone/);
  });
});
