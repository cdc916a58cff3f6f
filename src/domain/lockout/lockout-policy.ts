import { createHash } from 'node:crypto';
import { normalizeUsername } from '../users/user.js';
import { DEFAULT_TENANT_SETTINGS, type TenantSettings } from '../tenants/tenant-settings.js';

/** The `lockout.*` tenant settings (DESIGN §7 numbers by default). */
export type LockoutSettings = TenantSettings['lockout'];

/**
 * What applies when the username is unknown: the defaults, so an unknown name is counted and
 * locked exactly like a known one of a tenant that kept them.
 */
export const DEFAULT_LOCKOUT: LockoutSettings = DEFAULT_TENANT_SETTINGS.lockout;

/**
 * Where a lock applies: this username from this address, this username anywhere, this address,
 * or this username's second factor (codes run out of tries, counted apart from passwords).
 */
export type LockScope = 'username_ip' | 'username' | 'ip' | 'second_factor';

/**
 * Consecutive failures are forgotten a day after the first one of a run, so a person who mistypes
 * now and then never creeps towards a lock; a success forgets them at once.
 */
export const FAILURE_MEMORY_SECONDS = 24 * 60 * 60;
/** The per-address count across usernames is "per hour" (DESIGN §7). */
export const IP_WINDOW_SECONDS = 60 * 60;

/**
 * How long to lock after `failures` consecutive failures, when `threshold` of them start a lock:
 * the base lock at the threshold, doubled for each further failure, never more than the maximum.
 */
export function lockSecondsAfter(failures: number, threshold: number, settings: Pick<LockoutSettings, 'base_lock_seconds' | 'max_lock_seconds'>): number {
  if (failures < threshold) return 0;
  // Capping the exponent keeps the arithmetic finite; the maximum caps the result long before.
  const doublings = Math.min(failures - threshold, 30);
  return Math.min(settings.max_lock_seconds, settings.base_lock_seconds * 2 ** doublings);
}

/**
 * The counter key of a username: the same for every spelling that names one account (case,
 * Unicode forms, surrounding spaces), and a digest, so the store neither holds usernames nor
 * overflows its key length with a long one.
 */
export function lockoutSubject(username: string): string {
  return createHash('sha256').update(`gatehouse/lockout/${normalizeUsername(username)}`).digest('base64url').slice(0, 32);
}

/** The lockout settings of a user's tenant; the defaults when the username is unknown. */
export function lockoutSettingsOf(tenant: { settings: TenantSettings } | undefined): LockoutSettings {
  return tenant ? tenant.settings.lockout : DEFAULT_LOCKOUT;
}
