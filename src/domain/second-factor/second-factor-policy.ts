import type { TenantSettings } from '../tenants/tenant-settings.js';

/** What the second step of a sign-in must be, decided from the tenant's policy and the user's state. */
export type SecondFactorStep =
  | { step: 'none' }
  /** `optional` mode, no phone: sign in, with a warning that says how to add one. */
  | { step: 'warn_no_phone' }
  /** A code to the profile's phone (an unverified number set by an administrator is confirmed this way). */
  | { step: 'code'; phone: string }
  /** `required` mode, no phone: the user adds one, confirmed by a code. */
  | { step: 'enroll' };

export interface SecondFactorFacts {
  mfa: TenantSettings['mfa'];
  phone: string | null;
  /** The session's sign-in already included the SMS step. */
  smsDoneInSession: boolean;
  /** This browser passed the SMS step for this user and this number within `reverify_days`. */
  rememberedDevice: boolean;
  /** The warning of `warn_no_phone` was already shown in this sign-in. */
  warningAcknowledged: boolean;
  /** On that warning the person chose to add a phone now (optional mode). */
  addPhoneChosen?: boolean;
}

export function secondFactorStep(facts: SecondFactorFacts): SecondFactorStep {
  if (facts.mfa.mode === 'off' || facts.smsDoneInSession) return { step: 'none' };
  if (facts.phone) return facts.rememberedDevice ? { step: 'none' } : { step: 'code', phone: facts.phone };
  if (facts.mfa.mode === 'required' || facts.addPhoneChosen) return { step: 'enroll' };
  return facts.warningAcknowledged ? { step: 'none' } : { step: 'warn_no_phone' };
}

/** Was the SMS step passed on this browser recently enough, for the number the profile has now? */
export function deviceStillRemembered(device: { mfa_verified_at: Date | null; mfa_phone: string | null } | undefined, phone: string | null, reverifyDays: number, now: Date): boolean {
  if (!device?.mfa_verified_at || !phone || device.mfa_phone !== phone) return false;
  return now.getTime() - device.mfa_verified_at.getTime() < reverifyDays * 24 * 60 * 60 * 1000;
}
