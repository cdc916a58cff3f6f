import type { EventLog } from '../events/event-log.js';
import type { PasskeyMethod } from '../second-factor/passkey/passkey.method.js';
import type { ChallengeRepository } from '../second-factor/challenge.repository.js';
import type { RecoveryCodesMethod } from '../second-factor/recovery-codes/recovery-codes.method.js';
import type { SecondFactorAttempt, SecondFactorMethod, SendRefusal } from '../second-factor/second-factor-method.js';
import type { SmsMethod } from '../second-factor/sms/sms.method.js';
import type { TotpMethod } from '../second-factor/totp/totp.method.js';
import type { FactorRepository } from '../second-factor/factor.repository.js';
import { accountEventFields, type AccountSubject } from './account-subject.js';

/** How long a second factor entered on the account page counts as fresh. */
export const FRESH_SECOND_FACTOR_MS = 5 * 60_000;

/** The methods that can confirm it is you, in the order offered. */
export type ConfirmingMethod = 'passkey' | 'sms' | 'totp' | 'recovery_code';

/** The methods confirmed with a typed code, on a page without script; a passkey's answer comes from the browser (script). */
export type CodeMethod = Exclude<ConfirmingMethod, 'passkey'>;

const CODE_METHODS: readonly CodeMethod[] = ['sms', 'totp', 'recovery_code'];

export function isCodeMethod(method: string): method is CodeMethod {
  return (CODE_METHODS as readonly string[]).includes(method);
}

/** A second factor passed on the account page: which method, and when. */
export interface FreshProof {
  method: ConfirmingMethod;
  at: string;
}

export type ConfirmStart = { started: true; challengeId: string } | { started: false; reason: SendRefusal | 'not_available' };
/** `passkey_failed`: the browser's passkey answer did not verify (it spends a try like a wrong code, but it is no code). */
export type ConfirmOutcome = { ok: true; proof: FreshProof } | { ok: false; reason: 'wrong_code' | 'passkey_failed' | 'too_many_attempts' | 'code_expired' | 'closed' | 'locked'; triesLeft?: number };

/** A passkey step of this session: the challenge, and the options the page hands to the browser. */
export interface PasskeyStep {
  challengeId: string;
  options: object;
}

export interface FreshSecondFactorDependencies {
  sms: SmsMethod;
  totp: TotpMethod;
  recoveryCodes: RecoveryCodesMethod;
  passkey: PasskeyMethod;
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
 * person enters a code of one of their methods again, or uses their passkey. The same methods,
 * challenges and five-try cap as the sign-in's second step, bound to the account (or console)
 * session instead of an interaction; passing it yields a proof the page keeps for a few minutes.
 * A passkey is offered too, so a person whose only second factor is a passkey is not stuck.
 */
export class FreshSecondFactor {
  constructor(private readonly deps: FreshSecondFactorDependencies) {}

  /** The methods this person can confirm with now, in the order offered. */
  async available(subject: AccountSubject): Promise<ConfirmingMethod[]> {
    const [factors, codesLeft] = await Promise.all([this.deps.factors.ofUser(subject.user.id), this.deps.recoveryCodes.remaining(subject.user.id)]);
    const methods: ConfirmingMethod[] = [];
    if (factors.some((f) => f.kind === 'passkey' && f.confirmed_at)) methods.push('passkey');
    if (factors.some((f) => f.kind === 'totp' && f.confirmed_at)) methods.push('totp');
    if (subject.user.phone) methods.push('sms');
    if (codesLeft > 0) methods.push('recovery_code');
    return methods;
  }

  /** Opens a challenge of a code method (an SMS is sent now); a passkey has its own step (passkeyStep). */
  async start(subject: AccountSubject, method: string): Promise<ConfirmStart> {
    if (!isCodeMethod(method) || !(await this.available(subject)).includes(method)) return { started: false, reason: 'not_available' };
    const started = await this.methodOf(method).startChallenge(this.attemptOf(subject));
    return started.started ? { started: true, challengeId: started.challenge.id } : { started: false, reason: started.reason };
  }

  /**
   * The passkey step of this session, for a person with a passkey: the challenge `known` (kept by
   * the page) while it is open, else a new one. The page shows its options with the button, so the
   * browser can ask for the passkey at the click itself (some browsers refuse it later).
   */
  async passkeyStep(subject: AccountSubject, known: string | undefined): Promise<PasskeyStep | undefined> {
    if (!(await this.available(subject)).includes('passkey')) return undefined;
    const open = known ? await this.openChallenge(subject, known) : undefined;
    const challenge = open?.purpose === this.deps.passkey.challengePurpose ? open : (await this.deps.passkey.startChallenge(this.attemptOf(subject))).challenge;
    return { challengeId: challenge.id, options: this.deps.passkey.optionsOf(challenge) };
  }

  /** An answer to a challenge of this session: a typed code, or for a passkey the browser's assertion (JSON). */
  async confirm(subject: AccountSubject, challengeId: string, code: string): Promise<ConfirmOutcome> {
    const now = this.deps.now();
    const challenge = await this.openChallenge(subject, challengeId);
    const method = (['passkey', ...CODE_METHODS] as const).find((m) => this.methodOf(m).challengePurpose === challenge?.purpose);
    if (!challenge || !method) return { ok: false, reason: 'closed' };
    if (await this.deps.secondFactorLockedUntil?.(subject.user)) return { ok: false, reason: 'locked' };
    const result = await this.methodOf(method).verify(this.attemptOf(subject), challenge, code);
    const fields = accountEventFields(subject);
    if (!result.ok) {
      if (result.reason === 'wrong_code') {
        // A passkey that did not verify spends a try as a wrong code does, but is recorded (and told) as what it is.
        const wrong = method === 'passkey' ? 'passkey_not_recognised' : 'wrong_code';
        this.deps.events.record({ type: 'mfa.failed', ...fields, reason: result.triesLeft === 0 ? 'too_many_wrong_codes' : wrong, details: { purpose: challenge.purpose, on: 'account' } });
        if (result.triesLeft === 0) {
          await this.deps.challenges.close(challenge.id, now);
          await this.deps.onTooManyWrongCodes?.(subject.user, subject.source.ip);
          return { ok: false, reason: 'too_many_attempts' };
        }
      }
      if (result.reason !== 'wrong_code') return { ok: false, reason: result.reason };
      return { ok: false, reason: method === 'passkey' ? 'passkey_failed' : 'wrong_code', triesLeft: result.triesLeft };
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

  /** A challenge still open, opened on this very account (or console) session: no other counts. */
  private async openChallenge(subject: AccountSubject, challengeId: string) {
    const challenge = await this.deps.challenges.findById(challengeId);
    if (!challenge || challenge.user_id !== subject.user.id || challenge.interaction_uid !== this.attemptOf(subject).interactionUid) return undefined;
    return challenge.completed_at || challenge.expires_at <= this.deps.now() ? undefined : challenge;
  }

  private methodOf(method: ConfirmingMethod): SecondFactorMethod {
    return { passkey: this.deps.passkey, sms: this.deps.sms, totp: this.deps.totp, recovery_code: this.deps.recoveryCodes }[method];
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
