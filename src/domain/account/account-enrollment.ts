import type { EventLog } from '../events/event-log.js';
import type { ChallengeRepository, Challenge, ChallengePurpose } from '../second-factor/challenge.repository.js';
import type { PasskeyMethod } from '../second-factor/passkey/passkey.method.js';
import type { RecoveryCodesMethod } from '../second-factor/recovery-codes/recovery-codes.method.js';
import type { VerifyOutcome } from '../second-factor/second-factor-method.js';
import type { TotpMethod, TotpSetup } from '../second-factor/totp/totp.method.js';
import { accountEventFields, type AccountSubject } from './account-subject.js';
import { accountAttempt, type FreshProof, type FreshSecondFactor } from './fresh-second-factor.js';

/** What a person can add from their account page (a phone number is the mobile-number page's). */
export type AddableMethod = 'totp' | 'passkey' | 'recovery_code';
const ADDABLE: readonly AddableMethod[] = ['totp', 'passkey', 'recovery_code'];

export type AddRefusal = 'not_allowed' | 'needs_fresh_second_factor';
export type AddOutcome = { ok: true; recoveryCodes?: string[] } | { ok: false; reason: Exclude<VerifyOutcome, { ok: true }>['reason'] | 'closed'; triesLeft?: number };

export interface AccountEnrollmentDependencies {
  totp: TotpMethod;
  passkey: PasskeyMethod;
  recoveryCodes: RecoveryCodesMethod;
  challenges: ChallengeRepository;
  fresh: FreshSecondFactor;
  events: EventLog;
  now: () => Date;
}

/**
 * Adding a second-factor method from the account page: an authenticator app (secret, QR code,
 * first code), a passkey (WebAuthn registration), or a new set of recovery codes. The setup
 * itself is the methods' own, exactly as in a sign-in's enrollment, bound to the account
 * session instead of an interaction. Only what the tenant allows is offered; a person who has
 * a method already must confirm it is them first (a stolen session alone must not add a thief's
 * app), and the events are those of enrollment at sign-in.
 */
export class AccountEnrollment {
  constructor(private readonly deps: AccountEnrollmentDependencies) {}

  /** The methods the tenant allows to be added here, in the order offered. */
  offered(subject: AccountSubject): AddableMethod[] {
    const allowed = subject.tenant.settings.mfa.methods as string[];
    return ADDABLE.filter((method) => allowed.includes(method));
  }

  /**
   * Whether the person may add `method` now: allowed by the tenant, and either nothing set up
   * yet (`hasMethods` false) or a fresh second factor in this session.
   */
  mayAdd(subject: AccountSubject, method: string, hasMethods: boolean, proof: FreshProof | undefined): { ok: true; method: AddableMethod } | { ok: false; reason: AddRefusal } {
    const offered = this.offered(subject).find((m) => m === method);
    if (!offered) return { ok: false, reason: 'not_allowed' };
    if (hasMethods && !this.deps.fresh.isFreshFor(proof, 'none')) return { ok: false, reason: 'needs_fresh_second_factor' };
    return { ok: true, method: offered };
  }

  /** A new authenticator-app secret waiting for its first code (an earlier unconfirmed one is dropped). */
  beginTotp(subject: AccountSubject): Promise<TotpSetup> {
    return this.deps.totp.beginSetup(accountAttempt(subject), subject.tenant.name);
  }

  /** The setup page of an open app setup of this session (shown again after a wrong code). */
  async resumeTotp(subject: AccountSubject, challengeId: string): Promise<TotpSetup | undefined> {
    const challenge = await this.openChallenge(subject, challengeId, 'totp_enroll');
    return challenge ? this.deps.totp.resumeSetup(accountAttempt(subject), challenge, subject.tenant.name) : undefined;
  }

  confirmTotp(subject: AccountSubject, challengeId: string, code: string): Promise<AddOutcome> {
    return this.finish(subject, challengeId, 'totp_enroll', (challenge) => this.deps.totp.confirmSetup(accountAttempt(subject), challenge, code));
  }

  /** Registration options for the browser, bound to a challenge of this session. */
  async beginPasskey(subject: AccountSubject): Promise<{ challengeId: string; options: object }> {
    const challenge = await this.deps.passkey.beginRegistration(accountAttempt(subject));
    return { challengeId: challenge.id, options: this.deps.passkey.optionsOf(challenge) };
  }

  async passkeyOptions(subject: AccountSubject, challengeId: string): Promise<object | undefined> {
    const challenge = await this.openChallenge(subject, challengeId, 'passkey_register');
    return challenge ? this.deps.passkey.optionsOf(challenge) : undefined;
  }

  finishPasskey(subject: AccountSubject, challengeId: string, response: string): Promise<AddOutcome> {
    return this.finish(subject, challengeId, 'passkey_register', (challenge) => this.deps.passkey.finishRegistration(accountAttempt(subject), challenge, response));
  }

  /** A new set of recovery codes, replacing the old one; returned once to be shown once. */
  async newRecoveryCodes(subject: AccountSubject): Promise<string[]> {
    const codes = await this.deps.recoveryCodes.generate(subject.user.id);
    this.deps.events.record({ type: 'mfa.method_enrolled', ...accountEventFields(subject), details: { method: 'recovery_code', on: 'account' } });
    return codes;
  }

  /** Verifies a setup step's answer with the method's five-try cap; a success writes enrollment's events. */
  private async finish(subject: AccountSubject, challengeId: string, purpose: ChallengePurpose, verify: (challenge: Challenge) => Promise<VerifyOutcome>): Promise<AddOutcome> {
    const challenge = await this.openChallenge(subject, challengeId, purpose);
    if (!challenge) return { ok: false, reason: 'closed' };
    const result = await verify(challenge);
    const fields = accountEventFields(subject);
    const now = this.deps.now();
    if (!result.ok) {
      if (result.reason === 'wrong_code') {
        this.deps.events.record({ type: 'mfa.failed', ...fields, reason: result.triesLeft === 0 ? 'too_many_wrong_codes' : 'wrong_code', details: { purpose, on: 'account' } });
        if (result.triesLeft === 0) {
          await this.deps.challenges.close(challenge.id, now);
          return { ok: false, reason: 'too_many_attempts' };
        }
        return { ok: false, reason: 'wrong_code', triesLeft: result.triesLeft };
      }
      return { ok: false, reason: result.reason };
    }
    await this.deps.challenges.complete(challenge.id, now);
    const method = purpose === 'totp_enroll' ? 'totp' : 'passkey';
    this.deps.events.record({ type: 'mfa.method_enrolled', ...fields, details: { method, on: 'account' } });
    this.deps.events.record({ type: 'mfa.succeeded', ...fields, details: { purpose, method, on: 'account' } });
    // As at sign-in: an app or a passkey comes with the way back in, shown once, when there is none.
    if ((await this.deps.recoveryCodes.remaining(subject.user.id)) === 0 && this.offered(subject).includes('recovery_code')) {
      return { ok: true, recoveryCodes: await this.deps.recoveryCodes.generate(subject.user.id) };
    }
    return { ok: true };
  }

  /** A challenge of `purpose` opened on this very account session, still open. */
  private async openChallenge(subject: AccountSubject, challengeId: string, purpose: ChallengePurpose): Promise<Challenge | undefined> {
    const challenge = await this.deps.challenges.findById(challengeId);
    const attempt = accountAttempt(subject);
    if (!challenge || challenge.purpose !== purpose || challenge.user_id !== subject.user.id || challenge.interaction_uid !== attempt.interactionUid) return undefined;
    return challenge.completed_at || challenge.expires_at <= this.deps.now() ? undefined : challenge;
  }
}
