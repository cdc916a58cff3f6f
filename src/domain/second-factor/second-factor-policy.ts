import type { TenantSettings } from '../tenants/tenant-settings.js';
import { METHOD_IDS, rememberedWithin, type MethodId } from './second-factor-method.js';

/** What the second step of a sign-in must be, decided from the tenant's policy and the user's state. */
export type SecondFactorStep =
  | { step: 'none' }
  /** `optional` mode, nothing set up: sign in, with a warning that offers to set something up. */
  | { step: 'warn_no_phone' }
  /** Prove it with `method`; `alternatives` are the other methods set up ("Try another way"). */
  | { step: 'code'; method: MethodId; alternatives: MethodId[] }
  /** `required` mode (or the person chose to), nothing set up: set one of `enrollable` up. */
  | { step: 'enroll' };

export interface SecondFactorFacts {
  mfa: Pick<TenantSettings['mfa'], 'mode' | 'reverify_days'>;
  /** The methods the user has set up that the tenant allows. */
  enrolled: MethodId[];
  /** The user's preferred method, asked first when it is set up. */
  preferred?: MethodId | null;
  /** The session's sign-in already included a second factor. */
  passedInSession: boolean;
  /** This browser passed a method the user still has within `reverify_days`. */
  rememberedDevice: boolean;
  /** The warning of `warn_no_phone` was already shown in this sign-in. */
  warningAcknowledged: boolean;
  /** On that warning the person chose to set something up now (optional mode). */
  addPhoneChosen?: boolean;
}

export function secondFactorStep(facts: SecondFactorFacts): SecondFactorStep {
  if (facts.mfa.mode === 'off' || facts.passedInSession) return { step: 'none' };
  if (facts.enrolled.length) {
    if (facts.rememberedDevice) return { step: 'none' };
    const method = firstChoice(facts.enrolled, facts.preferred);
    return { step: 'code', method, alternatives: facts.enrolled.filter((m) => m !== method) };
  }
  if (facts.mfa.mode === 'required' || facts.addPhoneChosen) return { step: 'enroll' };
  return facts.warningAcknowledged ? { step: 'none' } : { step: 'warn_no_phone' };
}

/**
 * The preferred method when set up; otherwise the strongest. Recovery codes are a way back in,
 * not a way to sign in every day: they come first only when nothing else is left.
 */
export function firstChoice(enrolled: MethodId[], preferred?: MethodId | null): MethodId {
  if (preferred && enrolled.includes(preferred) && preferred !== 'recovery_code') return preferred;
  return METHOD_IDS.find((m) => enrolled.includes(m) && m !== 'recovery_code') ?? enrolled[0]!;
}

/** Was the SMS step passed on this browser recently enough, for the number the profile has now? */
export function deviceStillRemembered(device: { mfa_verified_at: Date | null; mfa_phone: string | null; mfa_method?: string | null } | undefined, phone: string | null, reverifyDays: number, now: Date): boolean {
  return phone !== null && rememberedWithin(device ? { mfa_method: null, ...device } : undefined, 'sms', phone, reverifyDays, now);
}
