import { deviceStillRemembered, firstChoice, secondFactorStep, type SecondFactorFacts } from './second-factor-policy.js';

const base: SecondFactorFacts = { mfa: { mode: 'required', reverify_days: 30 }, enrolled: ['sms'], passedInSession: false, rememberedDevice: false, warningAcknowledged: false };

describe('secondFactorStep', () => {
  it('asks nothing when the tenant has it off', () => {
    expect(secondFactorStep({ ...base, mfa: { mode: 'off', reverify_days: 30 } })).toEqual({ step: 'none' });
  });

  it('asks for a method set up, unless this sign-in or this browser already passed one', () => {
    expect(secondFactorStep(base)).toEqual({ step: 'code', method: 'sms', alternatives: [] });
    expect(secondFactorStep({ ...base, passedInSession: true })).toEqual({ step: 'none' });
    expect(secondFactorStep({ ...base, rememberedDevice: true })).toEqual({ step: 'none' });
  });

  it('asks users with nothing set up to set something up when required, and only warns when optional', () => {
    expect(secondFactorStep({ ...base, enrolled: [] })).toEqual({ step: 'enroll' });
    expect(secondFactorStep({ ...base, enrolled: [], mfa: { mode: 'optional', reverify_days: 30 } })).toEqual({ step: 'warn_no_phone' });
    expect(secondFactorStep({ ...base, enrolled: [], mfa: { mode: 'optional', reverify_days: 30 }, warningAcknowledged: true })).toEqual({ step: 'none' });
    expect(secondFactorStep({ ...base, enrolled: [], mfa: { mode: 'optional', reverify_days: 30 }, addPhoneChosen: true })).toEqual({ step: 'enroll' });
  });

  it('asks users with a method set up under optional mode', () => {
    expect(secondFactorStep({ ...base, mfa: { mode: 'optional', reverify_days: 30 } }).step).toBe('code');
  });

  it('asks the preferred method first and offers the others as another way', () => {
    expect(secondFactorStep({ ...base, enrolled: ['totp', 'sms', 'recovery_code'] })).toEqual({ step: 'code', method: 'totp', alternatives: ['sms', 'recovery_code'] });
    expect(secondFactorStep({ ...base, enrolled: ['totp', 'sms', 'recovery_code'], preferred: 'sms' })).toEqual({ step: 'code', method: 'sms', alternatives: ['totp', 'recovery_code'] });
  });

  it('asks for a recovery code first only when nothing else is left', () => {
    expect(firstChoice(['sms', 'recovery_code'], 'recovery_code')).toBe('sms');
    expect(firstChoice(['recovery_code'])).toBe('recovery_code');
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
    expect(deviceStillRemembered({ ...device, mfa_method: 'totp' }, '+14155550123', 30, now)).toBe(false);
  });
});
