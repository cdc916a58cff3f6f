import type { UserDevice } from '../devices/device.repository.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { UserRecord } from '../users/user.js';
import type { Challenge, ChallengePurpose } from './challenge.repository.js';
import type { UserFactor } from './factor.repository.js';

/** The methods Gatehouse knows, in the order it offers them first. */
export const METHOD_IDS = ['passkey', 'totp', 'sms', 'recovery_code'] as const;
export type MethodId = (typeof METHOD_IDS)[number];

/** Where a second-factor step happens: one sign-in (interaction) of one user, from one browser. */
export interface SecondFactorAttempt {
  interactionUid: string;
  user: UserRecord;
  tenant: () => Promise<TenantRecord>;
  request: { ip: string; userAgent?: string; clientId?: string };
}

/** What a user has set up, read once per request: factors (apps, passkeys) and unused recovery codes. */
export interface EnrolledFacts {
  user: UserRecord;
  factors: UserFactor[];
  recoveryCodesLeft: number;
}

/** Why a challenge could not be sent (the page says so, and offers what is left). */
export type SendRefusal = 'budget_exhausted' | 'country_not_allowed' | 'number_limit' | 'user_limit' | 'ip_limit' | 'delivery_failed' | 'too_soon' | 'too_many_codes' | 'invalid_phone';

/** `delayed`: handed to the provider's queue but not yet confirmed sent (it may take a minute). */
export type SendOutcome = { sent: true; delayed?: boolean } | { sent: false; reason: SendRefusal; retryAfterSeconds?: number };

/** `amr`: what this very answer proved, when the method's `amr` depends on it (a passkey: hwk or swk). */
export type VerifyOutcome = { ok: true; amr?: string } | { ok: false; reason: 'wrong_code'; triesLeft: number } | { ok: false; reason: 'too_many_attempts' | 'code_expired' | 'closed' };

/**
 * A way to prove it's you after the password. A method knows whether a user has it set up,
 * opens a challenge within one sign-in (an SMS is sent; an app needs nothing sent), verifies an
 * answer with the atomic five-try cap, and says what a browser that passed it is remembered
 * for (`mfa.reverify_days`). Enrollment is each method's own page flow.
 */
export interface SecondFactorMethod {
  readonly id: MethodId;
  /** What a pass adds to the sign-in's `amr` (RFC 8176). */
  readonly amr: string;
  /** The purpose of this method's sign-in challenges. */
  readonly challengePurpose: ChallengePurpose;
  /** The user has this method set up. */
  isEnrolled(facts: EnrolledFacts): boolean;
  /** What a browser that passed is remembered for (a phone number, the app); null: never remembered. */
  rememberedFor(facts: EnrolledFacts): string | null;
  /** Opens the method's challenge in this sign-in, sending what must be sent. */
  startChallenge(attempt: SecondFactorAttempt): Promise<{ started: true; challenge: Challenge; delayed?: boolean } | { started: false; reason: SendRefusal; retryAfterSeconds?: number }>;
  /** Checks an answer to an open challenge; a right answer can be used once. */
  verify(attempt: SecondFactorAttempt, challenge: Challenge, input: string): Promise<VerifyOutcome>;
}

/** A browser passed `method` for `binding` within `reverifyDays`. */
export function rememberedWithin(device: Pick<UserDevice, 'mfa_verified_at' | 'mfa_phone' | 'mfa_method'> | undefined, method: MethodId, binding: string, reverifyDays: number, now: Date): boolean {
  if (!device?.mfa_verified_at || (device.mfa_method ?? 'sms') !== method || device.mfa_phone !== binding) return false;
  return now.getTime() - device.mfa_verified_at.getTime() < reverifyDays * 24 * 60 * 60 * 1000;
}
