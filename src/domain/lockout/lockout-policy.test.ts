import { DEFAULT_TENANT_SETTINGS } from '../tenants/tenant-settings.js';
import { DEFAULT_LOCKOUT, lockSecondsAfter, lockoutSettingsOf, lockoutSubject } from './lockout-policy.js';
import { passwordFingerprint } from './last-failed-password.js';

describe('lock durations (DESIGN §7)', () => {
  const settings = { base_lock_seconds: 60, max_lock_seconds: 900 };

  it('locks 1 minute at the fifth consecutive failure and not before', () => {
    expect([1, 2, 3, 4].map((n) => lockSecondsAfter(n, 5, settings))).toEqual([0, 0, 0, 0]);
    expect(lockSecondsAfter(5, 5, settings)).toBe(60);
  });

  it('doubles for each further failure and never exceeds 15 minutes', () => {
    expect([6, 7, 8, 9, 10, 50, 10_000].map((n) => lockSecondsAfter(n, 5, settings))).toEqual([120, 240, 480, 900, 900, 900, 900]);
  });

  it('follows the thresholds and times a tenant configured', () => {
    expect(lockSecondsAfter(19, 20, settings)).toBe(0);
    expect(lockSecondsAfter(21, 20, settings)).toBe(120);
    expect(lockSecondsAfter(4, 3, { base_lock_seconds: 10, max_lock_seconds: 30 })).toBe(20);
    expect(lockSecondsAfter(9, 3, { base_lock_seconds: 10, max_lock_seconds: 30 })).toBe(30);
  });

  it('applies the defaults to an unknown username, and the tenant\'s settings to a known one', () => {
    expect(DEFAULT_LOCKOUT).toEqual({ max_failures: 5, base_lock_seconds: 60, max_lock_seconds: 900, username_max_failures: 20, ip_failures_per_hour: 100 });
    expect(lockoutSettingsOf(undefined)).toEqual(DEFAULT_LOCKOUT);
    expect(lockoutSettingsOf({ settings: { ...DEFAULT_TENANT_SETTINGS, lockout: { ...DEFAULT_LOCKOUT, max_failures: 10 } } }).max_failures).toBe(10);
  });
});

describe('lockout subjects', () => {
  it('cannot be bypassed by changing the case, Unicode form or spacing of a username', () => {
    const subject = lockoutSubject('alice');
    for (const spelling of ['Alice', 'ALICE', ' alice ', 'ａｌｉｃｅ']) expect(lockoutSubject(spelling)).toBe(subject);
    expect(lockoutSubject('alice2')).not.toBe(subject);
  });

  it('never put the username itself in the counter store, and stay short whatever its length', () => {
    expect(lockoutSubject('alice')).not.toMatch(/alice/i);
    expect(lockoutSubject('x'.repeat(256))).toHaveLength(32);
  });
});

describe('failed-password fingerprints', () => {
  const key = Buffer.alloc(32, 7);

  it('recognise the same wrong password typed again for the same username, in any case of the username', () => {
    expect(passwordFingerprint(key, 'Alice', 'old-password-1')).toBe(passwordFingerprint(key, 'alice', 'old-password-1'));
    expect(passwordFingerprint(key, 'alice', 'old-password-1')).not.toBe(passwordFingerprint(key, 'alice', 'old-password-2'));
  });

  it('are bound to the username and the server key, and do not contain the password', () => {
    const fingerprint = passwordFingerprint(key, 'alice', 'old-password-1');
    expect(passwordFingerprint(key, 'bob', 'old-password-1')).not.toBe(fingerprint);
    expect(passwordFingerprint(Buffer.alloc(32, 8), 'alice', 'old-password-1')).not.toBe(fingerprint);
    expect(fingerprint).not.toContain('old-password');
    expect(fingerprint).toHaveLength(22);
  });
});
