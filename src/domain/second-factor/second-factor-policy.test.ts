import { deviceStillRemembered, secondFactorStep, type SecondFactorFacts } from './second-factor-policy.js';

const base: SecondFactorFacts = { mfa: { mode: 'required', reverify_days: 30 }, phone: '+14155550123', smsDoneInSession: false, rememberedDevice: false, warningAcknowledged: false };

describe('secondFactorStep', () => {
  it('asks nothing when the tenant has it off', () => {
    expect(secondFactorStep({ ...base, mfa: { mode: 'off', reverify_days: 30 } })).toEqual({ step: 'none' });
  });

  it('sends a code to the profile phone, unless this sign-in or this browser already passed it', () => {
    expect(secondFactorStep(base)).toEqual({ step: 'code', phone: '+14155550123' });
    expect(secondFactorStep({ ...base, smsDoneInSession: true })).toEqual({ step: 'none' });
    expect(secondFactorStep({ ...base, rememberedDevice: true })).toEqual({ step: 'none' });
  });

  it('asks users without a phone to add one when required, and only warns when optional', () => {
    expect(secondFactorStep({ ...base, phone: null })).toEqual({ step: 'enroll' });
    expect(secondFactorStep({ ...base, phone: null, mfa: { mode: 'optional', reverify_days: 30 } })).toEqual({ step: 'warn_no_phone' });
    expect(secondFactorStep({ ...base, phone: null, mfa: { mode: 'optional', reverify_days: 30 }, warningAcknowledged: true })).toEqual({ step: 'none' });
  });

  it('asks users with a phone under optional mode', () => {
    expect(secondFactorStep({ ...base, mfa: { mode: 'optional', reverify_days: 30 } }).step).toBe('code');
  });
});

describe('deviceStillRemembered', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const day = 24 * 60 * 60 * 1000;
  it('remembers for reverify_days, for the same number only', () => {
    const device = { mfa_verified_at: new Date(now.getTime() - 29 * day), mfa_phone: '+14155550123' };
    expect(deviceStillRemembered(device, '+14155550123', 30, now)).toBe(true);
    expect(deviceStillRemembered(device, '+14155550999', 30, now)).toBe(false);
    expect(deviceStillRemembered({ ...device, mfa_verified_at: new Date(now.getTime() - 30 * day) }, '+14155550123', 30, now)).toBe(false);
    expect(deviceStillRemembered(undefined, '+14155550123', 30, now)).toBe(false);
  });
});
