import type { UserDevice } from '../devices/device.repository.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { UserRecord } from '../users/user.js';
import type { Challenge } from './challenge.repository.js';

/** The methods Gatehouse knows; an authenticator app, passkeys and recovery codes come next. */
export type MethodId = 'sms';

/** Where a second-factor step happens: one sign-in (interaction) of one user, from one browser. */
export interface SecondFactorAttempt {
  interactionUid: string;
  user: UserRecord;
  tenant: () => Promise<TenantRecord>;
  request: { ip: string; userAgent?: string; clientId?: string };
}

/** Why a challenge could not be sent (the page says so, and offers what is left). */
export type SendRefusal = 'budget_exhausted' | 'country_not_allowed' | 'number_limit' | 'user_limit' | 'ip_limit' | 'delivery_failed' | 'too_soon' | 'too_many_codes' | 'invalid_phone';

/** `delayed`: handed to the provider's queue but not yet confirmed sent (it may take a minute). */
export type SendOutcome = { sent: true; delayed?: boolean } | { sent: false; reason: SendRefusal; retryAfterSeconds?: number };

export type VerifyOutcome = { ok: true } | { ok: false; reason: 'wrong_code'; triesLeft: number } | { ok: false; reason: 'too_many_attempts' | 'code_expired' | 'closed' };

/**
 * A way to prove it's you after the password. Each method enrolls (binds something to the
 * user), challenges (asks for proof in one sign-in), verifies, and remembers a browser that
 * passed it for the tenant's `mfa.reverify_days`.
 */
export interface SecondFactorMethod {
  readonly id: MethodId;
  /** What a pass adds to the sign-in's `amr` (RFC 8176). */
  readonly amr: string;
  /** The user has this method set up. */
  isEnrolled(user: UserRecord): boolean;
  /** This browser passed this method for this user recently enough not to be asked again. */
  isRemembered(user: UserRecord, device: UserDevice | undefined, reverifyDays: number, now: Date): boolean;
  /** Sends a new proof for a challenge (the first one, or "send new code"). */
  send(attempt: SecondFactorAttempt, challenge: Challenge): Promise<SendOutcome>;
  /** Starts binding what the person typed (a phone number); its challenge proves it. */
  beginEnrollment(attempt: SecondFactorAttempt, input: string): Promise<{ started: true; challenge: Challenge } | { started: false; reason: SendRefusal; retryAfterSeconds?: number }>;
  /** Checks what the person entered for a challenge; a right answer can be used once. */
  verify(challenge: Challenge, input: string): Promise<VerifyOutcome>;
  /** After a pass: saves what it proved (a new or confirmed number) and remembers this browser. */
  confirm(attempt: SecondFactorAttempt, challenge: Challenge, deviceHash: string): Promise<void>;
}
