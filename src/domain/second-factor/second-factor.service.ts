import type { DeviceRepository } from '../devices/device.repository.js';
import type { EventLog } from '../events/event-log.js';
import type { UserMail } from '../notifications/user-mail.js';
import type { OneTimeCodeStore } from '../one-time-codes/one-time-code.store.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { UserRecord } from '../users/user.js';
import type { Challenge, ChallengePurpose, ChallengeRepository } from './challenge.repository.js';
import { secondFactorStep, type SecondFactorStep } from './second-factor-policy.js';
import type { SecondFactorAttempt, SendRefusal, VerifyOutcome } from './second-factor-method.js';
import { SMS_CODE_LIMITS, type SmsMethod } from './sms/sms.method.js';

/** The emailed code that must precede a later phone change. */
const EMAIL_GATE_CODE_TTL_MS = 15 * 60_000;

/**
 * What the sign-in's second step must be, decided once (by the interaction policy, from facts
 * loaded once) and handed to the page in the prompt's details.
 */
export type SecondFactorDecision = Exclude<SecondFactorStep, { step: 'none' }> & {
  /** Adding a phone needs an emailed code first (anything but the password step of a first sign-in). */
  emailGate: boolean;
};

/** Where the person stands in the second step: each is one page. */
export type SecondFactorState =
  /** Enter the code sent to the profile's phone (`delayed`: the provider has not confirmed it yet). */
  | { state: 'code'; challenge: Challenge; resendWait: number; delayed?: boolean }
  /** Enter the code emailed to prove the mailbox before a phone is added. */
  | { state: 'email_gate'; challenge: Challenge; resendWait: number }
  /** Type the mobile number to add. */
  | { state: 'enter_phone' }
  /** Enter the code sent to the number being added. */
  | { state: 'confirm_phone'; challenge: Challenge; resendWait: number }
  /** Optional mode, no phone: add one now, or go on with a warning. */
  | { state: 'warn_no_phone' }
  /** A phone is required, and the profile has neither a phone nor an email to prove it by. */
  | { state: 'no_contact' }
  /** A code could not be sent (budget, limits, country, delivery). */
  | { state: 'cannot_send'; reason: SendRefusal; retryAfterSeconds?: number }
  /** A step must be opened first (a GET does that; a form post never starts anything). */
  | { state: 'not_started' };

export type SubmitOutcome =
  /** The second factor is passed: `amr` to add to the sign-in. */
  | { outcome: 'passed'; amr: string }
  /** The mailbox is proven: the page moves on to the phone number. */
  | { outcome: 'email_proven' }
  | { outcome: 'refused'; result: Exclude<VerifyOutcome, { ok: true }>; state: SecondFactorState }
  | { outcome: 'locked'; until: Date }
  /** Nothing to submit a code to in this state. */
  | { outcome: 'no_code_expected' };

export interface SecondFactorDependencies {
  sms: SmsMethod;
  challenges: ChallengeRepository;
  codes: OneTimeCodeStore;
  devices: DeviceRepository;
  mail: UserMail;
  events: EventLog;
  now: () => Date;
  /** Too many wrong codes count toward the sign-in lockout. */
  onTooManyWrongCodes?: (user: UserRecord, ip: string) => Promise<void>;
  /** A passed step clears the count of exhausted challenges. */
  onSecondFactorPassed?: (user: UserRecord) => Promise<void>;
  /** The second-factor lock of a user, which no browser is spared. */
  secondFactorLockedUntil?: (user: UserRecord) => Promise<Date | undefined>;
}

/**
 * The second step of a sign-in, over its methods (SMS today): what is due, the state of the
 * step within one sign-in, codes checked with an atomic cap, adding a phone behind an emailed
 * code, and remembering a browser for `mfa.reverify_days`.
 */
export class SecondFactorService {
  constructor(private readonly deps: SecondFactorDependencies) {}

  /** What the tenant's policy asks of this sign-in now; `none` when nothing. */
  async decide(
    facts: { user: UserRecord; tenant: () => Promise<TenantRecord>; device: () => Promise<{ mfa_verified_at: Date | null; mfa_phone: string | null } | undefined> },
    session: { amr?: string[]; warningAcknowledged?: boolean; addPhoneChosen?: boolean; passwordEnteredNow: boolean },
  ): Promise<SecondFactorDecision | { step: 'none' }> {
    const { sms } = this.deps;
    // Passed in this session already: neither the tenant nor the browser needs reading.
    if (session.amr?.includes(sms.amr)) return { step: 'none' };
    const { mfa } = (await facts.tenant()).settings;
    if (mfa.mode === 'off') return { step: 'none' };
    const { user } = facts;
    const step = secondFactorStep({
      mfa,
      phone: user.phone,
      smsDoneInSession: false,
      rememberedDevice: sms.isEnrolled(user) && sms.isRemembered(user, (await facts.device()) as never, mfa.reverify_days, this.deps.now()),
      warningAcknowledged: session.warningAcknowledged ?? false,
      addPhoneChosen: session.addPhoneChosen ?? false,
    });
    if (step.step === 'none') return step;
    return { ...step, emailGate: !(session.passwordEnteredNow && user.last_login_at === null) };
  }

  /**
   * The state of the step in this sign-in, from one read of its challenges. `start`: open and
   * send what is due (a page view); a form post passes false and never sends anything.
   */
  async current(attempt: SecondFactorAttempt, decision: SecondFactorDecision, options: { start: boolean }): Promise<SecondFactorState> {
    const now = this.deps.now();
    const challenges = await this.deps.challenges.ofSignIn(attempt.interactionUid, attempt.user.id);
    const open = (purpose: ChallengePurpose) => challenges.find((c) => c.purpose === purpose && !c.completed_at && c.expires_at > now);
    const withWait = async (state: 'code' | 'email_gate' | 'confirm_phone', challenge: Challenge): Promise<SecondFactorState> => ({
      state,
      challenge,
      resendWait: this.deps.codes.secondsUntilResend(await this.deps.codes.find(challenge.id), SMS_CODE_LIMITS.resendAfterMs),
    });

    switch (decision.step) {
      case 'warn_no_phone':
        return { state: 'warn_no_phone' };
      case 'code': {
        const existing = open('sign_in');
        if (existing) return withWait('code', existing);
        if (!options.start) return { state: 'not_started' };
        const challenge = await this.deps.sms.open(attempt);
        const sent = await this.deps.sms.send(attempt, challenge);
        if (!sent.sent) {
          await this.deps.challenges.close(challenge.id, now);
          return { state: 'cannot_send', reason: sent.reason, retryAfterSeconds: sent.retryAfterSeconds };
        }
        return { ...(await withWait('code', challenge)), ...(sent.delayed ? { delayed: true } : {}) } as SecondFactorState;
      }
      case 'enroll': {
        const enrolling = open('enroll');
        if (enrolling) return withWait('confirm_phone', enrolling);
        const gatePassed = challenges.some((c) => c.purpose === 'email_gate' && c.completed_at);
        if (!decision.emailGate || gatePassed) return { state: 'enter_phone' };
        const gate = open('email_gate');
        if (gate) return withWait('email_gate', gate);
        if (!options.start) return { state: 'not_started' };
        // A stolen password alone must never bind a thief's phone: prove the mailbox first.
        if (!attempt.user.email) return { state: 'no_contact' };
        return withWait('email_gate', await this.startEmailGate(attempt));
      }
    }
  }

  /** "Send new code" for the step in progress: only after 30 s; the new code replaces the old. */
  async resend(attempt: SecondFactorAttempt, state: SecondFactorState): Promise<{ sent: true; delayed?: boolean } | { sent: false; reason: SendRefusal; retryAfterSeconds?: number }> {
    if (state.state !== 'code' && state.state !== 'email_gate' && state.state !== 'confirm_phone') return { sent: false, reason: 'too_soon', retryAfterSeconds: 0 };
    if (state.resendWait > 0) return { sent: false, reason: 'too_soon', retryAfterSeconds: state.resendWait };
    if (state.state === 'email_gate') {
      await this.sendEmailCode(attempt, state.challenge);
      return { sent: true };
    }
    return this.deps.sms.send(attempt, state.challenge);
  }

  /** The number the person typed: a code is sent to it; the number is saved only once confirmed. */
  async submitPhone(attempt: SecondFactorAttempt, state: SecondFactorState, phone: string) {
    if (state.state !== 'enter_phone') return { started: false as const, reason: 'not_expected' as const };
    return this.deps.sms.beginEnrollment(attempt, phone);
  }

  /** A code typed for the step in progress. */
  async submitCode(attempt: SecondFactorAttempt, state: SecondFactorState, code: string, deviceHash: () => string): Promise<SubmitOutcome> {
    if (state.state !== 'code' && state.state !== 'email_gate' && state.state !== 'confirm_phone') return { outcome: 'no_code_expected' };
    const { user, request } = attempt;
    const lockedUntil = await this.deps.secondFactorLockedUntil?.(user);
    if (lockedUntil) return { outcome: 'locked', until: lockedUntil };
    const challenge = state.challenge;
    const result = await this.deps.sms.verify(challenge, code);
    const context = { tenant_id: user.tenant_id, user_id: user.id, client_id: request.clientId, ip: request.ip, user_agent: request.userAgent };
    if (!result.ok) {
      if (result.reason === 'wrong_code' && result.triesLeft === 0) {
        // This check spent the last try (exactly one can): the step ends, and counts once
        // toward the lockout however many guesses arrived with it.
        await this.deps.challenges.close(challenge.id, this.deps.now());
        this.deps.events.record({ type: 'mfa.failed', ...context, reason: 'too_many_wrong_codes', details: { purpose: challenge.purpose } });
        await this.deps.onTooManyWrongCodes?.(user, request.ip);
        return { outcome: 'refused', result: { ok: false, reason: 'too_many_attempts' }, state };
      }
      if (result.reason === 'wrong_code') this.deps.events.record({ type: 'mfa.failed', ...context, reason: 'wrong_code', details: { purpose: challenge.purpose } });
      return { outcome: 'refused', result, state };
    }
    await this.deps.challenges.complete(challenge.id, this.deps.now());
    if (challenge.purpose === 'email_gate') return { outcome: 'email_proven' };
    this.deps.events.record({ type: 'mfa.succeeded', ...context, details: { purpose: challenge.purpose, method: this.deps.sms.id } });
    await this.deps.onSecondFactorPassed?.(user);
    await this.deps.sms.confirm(attempt, challenge, deviceHash());
    return { outcome: 'passed', amr: this.deps.sms.amr };
  }

  private async startEmailGate(attempt: SecondFactorAttempt): Promise<Challenge> {
    const challenge = await this.deps.challenges.insert(
      { user_id: attempt.user.id, interaction_uid: attempt.interactionUid, purpose: 'email_gate', destination: attempt.user.email!, expires_at: new Date(this.deps.now().getTime() + SMS_CODE_LIMITS.stepTtlMs) },
      (trx, inserted) => this.deps.codes.open(inserted.id, 'email_gate', SMS_CODE_LIMITS.maxAttempts, trx),
    );
    await this.sendEmailCode(attempt, challenge);
    return challenge;
  }

  private async sendEmailCode(attempt: SecondFactorAttempt, challenge: Challenge): Promise<void> {
    const issued = await this.deps.codes.issue(challenge.id, EMAIL_GATE_CODE_TTL_MS);
    await this.deps.codes.recordSend(challenge.id);
    // Not `user.email`: the code goes to the address the step was opened for.
    await this.deps.mail.send('phone-change-code', { ...attempt.user, email: challenge.destination }, await attempt.tenant(), { code: issued.code, minutes: EMAIL_GATE_CODE_TTL_MS / 60_000 }, { code: { ownerId: challenge.id, hash: issued.hash }, clientId: attempt.request.clientId });
  }
}
