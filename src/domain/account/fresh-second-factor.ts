import type { EventLog } from '../events/event-log.js';
import type { ChallengeRepository } from '../second-factor/challenge.repository.js';
import type { RecoveryCodesMethod } from '../second-factor/recovery-codes/recovery-codes.method.js';
import type { SecondFactorAttempt, SecondFactorMethod, SendRefusal } from '../second-factor/second-factor-method.js';
import type { SmsMethod } from '../second-factor/sms/sms.method.js';
import type { TotpMethod } from '../second-factor/totp/totp.method.js';
import type { FactorRepository } from '../second-factor/factor.repository.js';
import { accountEventFields, type AccountSubject } from './account-subject.js';

/** How long a second factor entered on the account page counts as fresh. */
export const FRESH_SECOND_FACTOR_MS = 5 * 60_000;

/** The methods that can confirm it is you on a page without script (a passkey needs script). */
export type ConfirmingMethod = 'sms' | 'totp' | 'recovery_code';

/** A second factor passed on the account page: which method, and when. */
export interface FreshProof {
  method: ConfirmingMethod;
  at: string;
}

export type ConfirmStart = { started: true; challengeId: string } | { started: false; reason: SendRefusal | 'not_available' };
export type ConfirmOutcome = { ok: true; proof: FreshProof } | { ok: false; reason: 'wrong_code' | 'too_many_attempts' | 'code_expired' | 'closed' | 'locked'; triesLeft?: number };

export interface FreshSecondFactorDependencies {
  sms: SmsMethod;
  totp: TotpMethod;
  recoveryCodes: RecoveryCodesMethod;
  factors: FactorRepository;
  challenges: ChallengeRepository;
  events: EventLog;
  now: () => Date;
  /** The person's second-factor lock: no confirmation while it holds. */
  secondFactorLockedUntil?: (user: AccountSubject['user']) => Promise<Date | undefined>;
  /** A challenge that ran out of tries counts toward the sign-in lockout, as at sign-in. */
  onTooManyWrongCodes?: (user: AccountSubject['user'], ip: string) => Promise<void>;
}

/**
 * "Confirm it's you" outside a sign-in: before a sensitive change (removing a method), the
 * person enters a code of one of their methods again. The same methods, challenges and
 * five-try cap as the sign-in's second step, bound to the account session instead of an
 * interaction; passing it yields a proof the page keeps for a few minutes.
 */
export class FreshSecondFactor {
  constructor(private readonly deps: FreshSecondFactorDependencies) {}

  /** The methods this person can confirm with now, in the order offered. */
  async available(subject: AccountSubject): Promise<ConfirmingMethod[]> {
    const [factors, codesLeft] = await Promise.all([this.deps.factors.ofUser(subject.user.id), this.deps.recoveryCodes.remaining(subject.user.id)]);
    const methods: ConfirmingMethod[] = [];
    if (factors.some((f) => f.kind === 'totp' && f.confirmed_at)) methods.push('totp');
    if (subject.user.phone) methods.push('sms');
    if (codesLeft > 0) methods.push('recovery_code');
    return methods;
  }

  /** Opens a challenge of `method` (an SMS is sent now). */
  async start(subject: AccountSubject, method: ConfirmingMethod): Promise<ConfirmStart> {
    if (!(await this.available(subject)).includes(method)) return { started: false, reason: 'not_available' };
    const started = await this.methodOf(method).startChallenge(this.attemptOf(subject));
    return started.started ? { started: true, challengeId: started.challenge.id } : { started: false, reason: started.reason };
  }

  async confirm(subject: AccountSubject, challengeId: string, code: string): Promise<ConfirmOutcome> {
    const now = this.deps.now();
    const challenge = await this.deps.challenges.findById(challengeId);
    const method = (['sms', 'totp', 'recovery_code'] as const).find((m) => this.methodOf(m).challengePurpose === challenge?.purpose);
    // Only a challenge opened on this very account session counts.
    if (!challenge || !method || challenge.user_id !== subject.user.id || challenge.interaction_uid !== this.attemptOf(subject).interactionUid) return { ok: false, reason: 'closed' };
    if (challenge.completed_at || challenge.expires_at <= now) return { ok: false, reason: 'closed' };
    if (await this.deps.secondFactorLockedUntil?.(subject.user)) return { ok: false, reason: 'locked' };
    const result = await this.methodOf(method).verify(this.attemptOf(subject), challenge, code);
    const fields = accountEventFields(subject);
    if (!result.ok) {
      if (result.reason === 'wrong_code') {
        this.deps.events.record({ type: 'mfa.failed', ...fields, reason: result.triesLeft === 0 ? 'too_many_wrong_codes' : 'wrong_code', details: { purpose: challenge.purpose, on: 'account' } });
        if (result.triesLeft === 0) {
          await this.deps.challenges.close(challenge.id, now);
          await this.deps.onTooManyWrongCodes?.(subject.user, subject.source.ip);
          return { ok: false, reason: 'too_many_attempts' };
        }
      }
      return result.reason === 'wrong_code' ? { ok: false, reason: 'wrong_code', triesLeft: result.triesLeft } : { ok: false, reason: result.reason };
    }
    await this.deps.challenges.complete(challenge.id, now);
    this.deps.events.record({ type: 'account.second_factor_confirmed', ...fields, details: { method } });
    return { ok: true, proof: { method, at: now.toISOString() } };
  }

  /** Whether `proof` is fresh, and made with a method other than `removing` (its own code cannot vouch for removing it). */
  isFreshFor(proof: FreshProof | undefined, removing: string): boolean {
    if (!proof) return false;
    const age = this.deps.now().getTime() - new Date(proof.at).getTime();
    const sameKind = removing === proof.method || (removing === 'recovery_codes' && proof.method === 'recovery_code');
    return age >= 0 && age <= FRESH_SECOND_FACTOR_MS && !sameKind;
  }

  private methodOf(method: ConfirmingMethod): SecondFactorMethod {
    return method === 'sms' ? this.deps.sms : method === 'totp' ? this.deps.totp : this.deps.recoveryCodes;
  }

  private attemptOf(subject: AccountSubject): SecondFactorAttempt {
    return accountAttempt(subject);
  }
}

/** The attempt an account-page step acts as (phone change uses it too). */
export function accountAttempt(subject: AccountSubject): SecondFactorAttempt {
  return {
    interactionUid: `account:${subject.scope}`,
    user: subject.user,
    tenant: async () => subject.tenant,
    request: { ip: subject.source.ip, userAgent: subject.source.userAgent ?? undefined, clientId: subject.source.clientId ?? undefined },
  };
}
