import type { DeviceRepository, UserDevice } from '../devices/device.repository.js';
import type { EventLog } from '../events/event-log.js';
import type { UserMail } from '../notifications/user-mail.js';
import type { OneTimeCodeStore } from '../one-time-codes/one-time-code.store.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { UserRepository } from '../users/user.repository.js';
import type { UserRecord } from '../users/user.js';
import type { Challenge, ChallengePurpose, ChallengeRepository } from './challenge.repository.js';
import type { FactorRepository } from './factor.repository.js';
import type { BypassRepository } from './bypass.repository.js';
import type { RecoveryCodesMethod } from './recovery-codes/recovery-codes.method.js';
import { secondFactorStep } from './second-factor-policy.js';
import { rememberedWithin, type EnrolledFacts, type MethodId, type SecondFactorAttempt, type SecondFactorMethod, type SendRefusal, type VerifyOutcome } from './second-factor-method.js';
import { SMS_CODE_LIMITS, type SmsMethod } from './sms/sms.method.js';
import type { TotpMethod, TotpSetup } from './totp/totp.method.js';
import type { PasskeyMethod } from './passkey/passkey.method.js';

/** The emailed code that must precede a later change of how a user proves it's them. */
const EMAIL_GATE_CODE_TTL_MS = 15 * 60_000;

/** The methods a person can set up during a sign-in, in the order they are offered. */
export type EnrollableMethod = 'sms' | 'totp' | 'passkey';

/**
 * What the sign-in's second step must be, decided once (by the interaction policy, from facts
 * loaded once) and handed to the page in the prompt's details.
 */
export type SecondFactorDecision = (
  | { step: 'code'; method: MethodId; alternatives: MethodId[] }
  | { step: 'enroll' }
  | { step: 'warn_no_phone' }
) & {
  /** What may be set up now (the tenant's allowed methods). */
  enrollable: EnrollableMethod[];
  /** Setting something up needs an emailed code first (anything but the password step of a first sign-in). */
  emailGate: boolean;
  /** An administrator issued a one-time pass around this step (the person lost every method). */
  bypassAvailable?: boolean;
};

/** Where the person stands in the second step: each is one page. */
export type SecondFactorState =
  /** Answer the challenge of `method` (an SMS code, an app's code, a recovery code; `delayed`: the SMS provider has not confirmed it yet). */
  | { state: 'challenge'; method: MethodId; challenge: Challenge; resendWait: number; alternatives: MethodId[]; delayed?: boolean }
  /** Enter the code emailed to prove the mailbox before a method is set up. */
  | { state: 'email_gate'; challenge: Challenge; resendWait: number }
  /** Type the mobile number to add (`alternatives`: other methods that may be set up instead). */
  | { state: 'enter_phone'; alternatives: EnrollableMethod[] }
  /** Enter the code sent to the number being added. */
  | { state: 'confirm_phone'; challenge: Challenge; resendWait: number }
  /** Scan the QR code into an authenticator app and enter its first code. */
  | { state: 'totp_setup'; setup: TotpSetup; alternatives: EnrollableMethod[] }
  /** Create a passkey on this device (the browser is handed `challenge`'s options). */
  | { state: 'passkey_setup'; challenge: Challenge; alternatives: EnrollableMethod[] }
  /** Optional mode, nothing set up: set something up now, or go on with a warning. */
  | { state: 'warn_no_phone' }
  /** Something must be set up, and the profile has no email to prove the person by. */
  | { state: 'no_contact' }
  /** A code could not be sent (budget, limits, country, delivery); `alternatives` are the other ways. */
  | { state: 'cannot_send'; reason: SendRefusal; retryAfterSeconds?: number; alternatives: MethodId[] }
  /** A step must be opened first (a GET does that; a form post never starts anything). */
  | { state: 'not_started' };

export type SubmitOutcome =
  /** The second factor is passed: `amr` to add; `recoveryCodes` when a new set must be shown once. */
  | { outcome: 'passed'; amr: string; method: MethodId; recoveryCodes?: string[] }
  /** The mailbox is proven: the page moves on to setting something up. */
  | { outcome: 'email_proven' }
  /** `lockedUntil`: the refusal started the user's second-factor lock (too many wrong codes). */
  | { outcome: 'refused'; result: Exclude<VerifyOutcome, { ok: true }>; state: SecondFactorState; lockedUntil?: Date }
  | { outcome: 'locked'; until: Date }
  /** Nothing to submit a code to in this state. */
  | { outcome: 'no_code_expected' };

export interface SecondFactorDependencies {
  sms: SmsMethod;
  totp: TotpMethod;
  passkey: PasskeyMethod;
  recoveryCodes: RecoveryCodesMethod;
  challenges: ChallengeRepository;
  factors: FactorRepository;
  bypasses: BypassRepository;
  codes: OneTimeCodeStore;
  devices: DeviceRepository;
  users: UserRepository;
  mail: UserMail;
  events: EventLog;
  background: (task: Promise<unknown>) => void;
  now: () => Date;
  /** Too many wrong codes count toward the sign-in lockout; returns until when, if that started a lock. */
  onTooManyWrongCodes?: (user: UserRecord, ip: string) => Promise<{ lockedUntil?: Date } | void>;
  /** A passed step clears the count of exhausted challenges. */
  onSecondFactorPassed?: (user: UserRecord) => Promise<void>;
  /** The second-factor lock of a user, which no browser is spared. */
  secondFactorLockedUntil?: (user: UserRecord) => Promise<Date | undefined>;
}

/**
 * The second step of a sign-in, over its methods (SMS, authenticator app, recovery codes): what
 * is due, the state of the step within one sign-in, answers checked with an atomic cap, setting
 * a method up behind an emailed code, "try another way", and remembering a browser for
 * `mfa.reverify_days` per method.
 */
export class SecondFactorService {
  private readonly methods: Record<MethodId, SecondFactorMethod | undefined>;

  constructor(private readonly deps: SecondFactorDependencies) {
    this.methods = { sms: deps.sms, totp: deps.totp, recovery_code: deps.recoveryCodes, passkey: deps.passkey };
  }

  /** What the user has set up (one read of factors, one count of recovery codes). */
  async enrolledFacts(user: UserRecord): Promise<EnrolledFacts> {
    const [factors, recoveryCodesLeft] = await Promise.all([this.deps.factors.ofUser(user.id), this.deps.recoveryCodes.remaining(user.id)]);
    return { user, factors, recoveryCodesLeft };
  }

  /** The methods a user has set up that the tenant allows (for the diagnosis). */
  async enrolledMethodIds(user: UserRecord, tenant: TenantRecord): Promise<MethodId[]> {
    const facts = await this.enrolledFacts(user);
    return this.allowedMethods(tenant.settings.mfa.methods as MethodId[]).filter((m) => m.isEnrolled(facts)).map((m) => m.id);
  }

  /** What the tenant's policy asks of this sign-in now; `none` when nothing. */
  async decide(
    facts: { user: UserRecord; tenant: () => Promise<TenantRecord>; device: () => Promise<UserDevice | undefined> },
    session: { amr?: string[]; warningAcknowledged?: boolean; addPhoneChosen?: boolean; passwordEnteredNow: boolean; secondFactorBypassed?: boolean },
  ): Promise<SecondFactorDecision | { step: 'none' }> {
    const amrs = new Set(Object.values(this.methods).flatMap((m) => (m ? [m.amr] : [])));
    // Passed in this session already (`mfa`: the tenant's own provider asserted MFA, and the
    // tenant trusts it): neither the tenant nor the browser needs reading.
    if (session.amr?.some((value) => amrs.has(value) || value === 'mfa') || session.secondFactorBypassed) return { step: 'none' };
    const { mfa } = (await facts.tenant()).settings;
    if (mfa.mode === 'off') return { step: 'none' };
    const { user } = facts;
    const enrolledFacts = await this.enrolledFacts(user);
    const allowed = mfa.methods as MethodId[];
    const enrolled = this.allowedMethods(allowed).filter((m) => m.isEnrolled(enrolledFacts));
    const device = await facts.device();
    const now = this.deps.now();
    const rememberedDevice = enrolled.some((m) => {
      const binding = m.rememberedFor(enrolledFacts);
      return binding !== null && rememberedWithin(device, m.id, binding, mfa.reverify_days, now);
    });
    const step = secondFactorStep({
      mfa,
      enrolled: enrolled.map((m) => m.id),
      preferred: user.preferred_method as MethodId | null,
      passedInSession: false,
      rememberedDevice,
      warningAcknowledged: session.warningAcknowledged ?? false,
      addPhoneChosen: session.addPhoneChosen ?? false,
    });
    if (step.step === 'none') return step;
    const enrollable = (['sms', 'totp', 'passkey'] as const).filter((m) => allowed.includes(m));
    const bypassAvailable = step.step !== 'warn_no_phone' && Boolean(await this.deps.bypasses.active(user.id, now));
    return { ...step, enrollable, emailGate: !(session.passwordEnteredNow && user.last_login_at === null), ...(bypassAvailable ? { bypassAvailable } : {}) };
  }

  /**
   * The state of the step in this sign-in, from one read of its challenges. `start`: open and
   * send what is due (a page view); a form post passes false and never sends anything.
   */
  async current(attempt: SecondFactorAttempt, decision: SecondFactorDecision, options: { start: boolean }): Promise<SecondFactorState> {
    const now = this.deps.now();
    const challenges = await this.deps.challenges.ofSignIn(attempt.interactionUid, attempt.user.id);
    const isOpen = (c: Challenge) => !c.completed_at && c.expires_at > now;
    const open = (purpose: ChallengePurpose) => challenges.find((c) => c.purpose === purpose && isOpen(c));
    const resendWait = async (challenge: Challenge) => this.deps.codes.secondsUntilResend(await this.deps.codes.find(challenge.id), SMS_CODE_LIMITS.resendAfterMs);

    switch (decision.step) {
      case 'warn_no_phone':
        return { state: 'warn_no_phone' };
      case 'code': {
        const offered = [decision.method, ...decision.alternatives];
        // The newest challenge of an offered method is where the person is ("try another way" opened it).
        const latest = challenges.find((c) => isOpen(c) && offered.some((m) => this.methods[m]?.challengePurpose === c.purpose));
        const method = latest ? offered.find((m) => this.methods[m]?.challengePurpose === latest.purpose)! : decision.method;
        const alternatives = offered.filter((m) => m !== method);
        if (latest) return { state: 'challenge', method, challenge: latest, resendWait: await resendWait(latest), alternatives };
        if (!options.start) return { state: 'not_started' };
        const started = await this.methods[method]!.startChallenge(attempt);
        if (!started.started) return { state: 'cannot_send', reason: started.reason, retryAfterSeconds: started.retryAfterSeconds, alternatives };
        return { state: 'challenge', method, challenge: started.challenge, resendWait: await resendWait(started.challenge), alternatives, ...('delayed' in started && started.delayed ? { delayed: true } : {}) };
      }
      case 'enroll': {
        const enrolling = open('enroll');
        if (enrolling) return { state: 'confirm_phone', challenge: enrolling, resendWait: await resendWait(enrolling) };
        const registering = open('passkey_register');
        if (registering) return { state: 'passkey_setup', challenge: registering, alternatives: decision.enrollable.filter((m) => m !== 'passkey') };
        const settingUp = open('totp_enroll');
        if (settingUp) {
          const setup = await this.deps.totp.resumeSetup(attempt, settingUp, (await attempt.tenant()).name);
          if (setup) return { state: 'totp_setup', setup, alternatives: decision.enrollable.filter((m) => m !== 'totp') };
        }
        const gatePassed = challenges.some((c) => c.purpose === 'email_gate' && c.completed_at);
        if (decision.emailGate && !gatePassed) {
          const gate = open('email_gate');
          if (gate) return { state: 'email_gate', challenge: gate, resendWait: await resendWait(gate) };
          if (!options.start) return { state: 'not_started' };
          // A stolen password alone must never bind a thief's phone or app: prove the mailbox first.
          if (!attempt.user.email) return { state: 'no_contact' };
          const started = await this.startEmailGate(attempt);
          return { state: 'email_gate', challenge: started, resendWait: await resendWait(started) };
        }
        const [first, ...others] = decision.enrollable;
        if (first === 'sms') return { state: 'enter_phone', alternatives: others };
        if (!options.start) return { state: 'not_started' };
        if (first === 'passkey') return { state: 'passkey_setup', challenge: await this.deps.passkey.beginRegistration(attempt), alternatives: others };
        return { state: 'totp_setup', setup: await this.deps.totp.beginSetup(attempt, (await attempt.tenant()).name), alternatives: others };
      }
    }
  }

  /** "Send new code" for the step in progress: only after 30 s; the new code replaces the old. */
  async resend(attempt: SecondFactorAttempt, state: SecondFactorState): Promise<{ sent: true; delayed?: boolean } | { sent: false; reason: SendRefusal; retryAfterSeconds?: number }> {
    const sendable = state.state === 'email_gate' || state.state === 'confirm_phone' || (state.state === 'challenge' && state.method === 'sms');
    if (!sendable) return { sent: false, reason: 'too_soon', retryAfterSeconds: 0 };
    if (state.resendWait > 0) return { sent: false, reason: 'too_soon', retryAfterSeconds: state.resendWait };
    if (state.state === 'email_gate') {
      await this.sendEmailCode(attempt, state.challenge);
      return { sent: true };
    }
    return this.deps.sms.send(attempt, state.challenge);
  }

  /** "Try another way": opens the challenge of another method set up (an SMS is sent now). */
  async switchMethod(attempt: SecondFactorAttempt, state: SecondFactorState, method: string) {
    const alternatives = state.state === 'challenge' || state.state === 'cannot_send' ? state.alternatives : [];
    const chosen = alternatives.find((m) => m === method);
    if (!chosen) return { started: false as const, reason: 'not_offered' as const };
    const started = await this.methods[chosen]!.startChallenge(attempt);
    if (started.started && chosen !== 'recovery_code') await this.deps.users.update(attempt.user.id, { preferred_method: chosen });
    return started;
  }

  /** Uses the administrator's one-time pass: this sign-in goes on without the second step. */
  async useBypass(attempt: SecondFactorAttempt, decision: SecondFactorDecision): Promise<boolean> {
    if (!decision.bypassAvailable) return false;
    const now = this.deps.now();
    const bypass = await this.deps.bypasses.active(attempt.user.id, now);
    if (!bypass || !(await this.deps.bypasses.use(bypass.id, now))) return false;
    const { user, request } = attempt;
    this.deps.events.record({ type: 'mfa.bypass_used', tenant_id: user.tenant_id, user_id: user.id, client_id: request.clientId, ip: request.ip, user_agent: request.userAgent });
    return true;
  }

  /** The number the person typed: a code is sent to it; the number is saved only once confirmed. */
  async submitPhone(attempt: SecondFactorAttempt, state: SecondFactorState, phone: string) {
    const canAddPhone = state.state === 'enter_phone' || (state.state === 'totp_setup' && state.alternatives.includes('sms'));
    if (!canAddPhone) return { started: false as const, reason: 'not_expected' as const };
    return this.deps.sms.beginEnrollment(attempt, phone);
  }

  /** "Set up an authenticator app (or a passkey) instead", where the step offers it. */
  async startSetup(attempt: SecondFactorAttempt, state: SecondFactorState, method: string): Promise<boolean> {
    const offered = state.state === 'enter_phone' || state.state === 'totp_setup' || state.state === 'passkey_setup' ? state.alternatives : [];
    if (method === 'totp' && offered.includes('totp')) await this.deps.totp.beginSetup(attempt, (await attempt.tenant()).name);
    else if (method === 'passkey' && offered.includes('passkey')) await this.deps.passkey.beginRegistration(attempt);
    else return false;
    return true;
  }

  /** The options a passkey step hands to the browser. */
  passkeyOptions(challenge: Challenge): object {
    return this.deps.passkey.optionsOf(challenge);
  }

  /** An answer typed for the step in progress. */
  /** `deviceHash`: this browser, to remember for the method; null when the person asked not to be remembered (a shared computer). */
  async submitCode(attempt: SecondFactorAttempt, state: SecondFactorState, code: string, deviceHash: (() => string) | null): Promise<SubmitOutcome> {
    const challenge =
      state.state === 'challenge' || state.state === 'email_gate' || state.state === 'confirm_phone' || state.state === 'passkey_setup' ? state.challenge : state.state === 'totp_setup' ? state.setup.challenge : undefined;
    if (!challenge) return { outcome: 'no_code_expected' };
    const { user, request } = attempt;
    const lockedUntil = await this.deps.secondFactorLockedUntil?.(user);
    if (lockedUntil) return { outcome: 'locked', until: lockedUntil };
    const result = await this.verify(attempt, state, challenge, code);
    const context = { tenant_id: user.tenant_id, user_id: user.id, client_id: request.clientId, ip: request.ip, user_agent: request.userAgent };
    if (!result.ok) {
      if (result.reason === 'wrong_code' && result.triesLeft === 0) {
        // This check spent the last try (exactly one can): the step ends, and counts once
        // toward the lockout however many guesses arrived with it.
        await this.deps.challenges.close(challenge.id, this.deps.now());
        this.deps.events.record({ type: 'mfa.failed', ...context, reason: 'too_many_wrong_codes', details: { purpose: challenge.purpose } });
        const counted = await this.deps.onTooManyWrongCodes?.(user, request.ip);
        const lockedUntil = (counted ? counted.lockedUntil : undefined) ?? (await this.deps.secondFactorLockedUntil?.(user));
        return { outcome: 'refused', result: { ok: false, reason: 'too_many_attempts' }, state, ...(lockedUntil ? { lockedUntil } : {}) };
      }
      if (result.reason === 'wrong_code') this.deps.events.record({ type: 'mfa.failed', ...context, reason: 'wrong_code', details: { purpose: challenge.purpose } });
      return { outcome: 'refused', result, state };
    }
    await this.deps.challenges.complete(challenge.id, this.deps.now());
    if (challenge.purpose === 'email_gate') return { outcome: 'email_proven' };

    const method = this.methodOf(state, challenge);
    let recoveryCodes: string[] | undefined;
    if (challenge.purpose === 'enroll' || (method.id === 'sms' && !user.phone_verified)) await this.deps.sms.confirmNumber(attempt, challenge.destination);
    if (challenge.purpose === 'enroll' || challenge.purpose === 'totp_enroll' || challenge.purpose === 'passkey_register') {
      this.deps.events.record({ type: 'mfa.method_enrolled', ...context, details: { method: method.id } });
      // An app or a passkey comes with the way back in for when the device is lost, shown once.
      if (challenge.purpose !== 'enroll' && (await this.deps.recoveryCodes.remaining(user.id)) === 0) recoveryCodes = await this.deps.recoveryCodes.generate(user.id);
    }
    this.deps.events.record({ type: 'mfa.succeeded', ...context, details: { purpose: challenge.purpose, method: method.id } });
    if (method.id === 'recovery_code') this.deps.background(this.recoveryCodeUsed(attempt, context));
    await this.deps.onSecondFactorPassed?.(user);
    const binding = method.rememberedFor(await this.enrolledFacts(attempt.user));
    if (binding && deviceHash) await this.deps.devices.rememberSecondFactor(deviceHash(), user.id, method.id, binding, this.deps.now());
    return { outcome: 'passed', amr: result.amr ?? method.amr, method: method.id, recoveryCodes };
  }

  private verify(attempt: SecondFactorAttempt, state: SecondFactorState, challenge: Challenge, code: string): Promise<VerifyOutcome> {
    switch (challenge.purpose) {
      case 'email_gate':
        return this.deps.codes.check(challenge.id, code).then(async (check) => (check.ok && !(await this.deps.codes.consume(challenge.id)) ? { ok: false, reason: 'closed' } : check));
      case 'totp_enroll':
        return this.deps.totp.confirmSetup(attempt, challenge, code);
      case 'passkey_register':
        return this.deps.passkey.finishRegistration(attempt, challenge, code);
      default:
        return this.methodOf(state, challenge).verify(attempt, challenge, code);
    }
  }

  private methodOf(state: SecondFactorState, challenge: Challenge): SecondFactorMethod {
    if (state.state === 'challenge') return this.methods[state.method]!;
    if (challenge.purpose === 'totp_enroll') return this.deps.totp;
    if (challenge.purpose === 'passkey_register') return this.deps.passkey;
    return this.deps.sms;
  }

  private allowedMethods(allowed: MethodId[]): SecondFactorMethod[] {
    return allowed.flatMap((id) => (this.methods[id] ? [this.methods[id]] : []));
  }

  private async recoveryCodeUsed(attempt: SecondFactorAttempt, context: Record<string, unknown>): Promise<void> {
    const left = await this.deps.recoveryCodes.remaining(attempt.user.id);
    this.deps.events.record({ type: 'mfa.recovery_code_used', ...(context as { tenant_id: string }), details: { left } });
    await this.deps.mail.send('recovery-code-used', attempt.user, await attempt.tenant(), { when: this.deps.now(), left });
  }

  private async startEmailGate(attempt: SecondFactorAttempt): Promise<Challenge> {
    const challenge = await this.deps.challenges.open(attempt, 'email_gate', attempt.user.email!, SMS_CODE_LIMITS, this.deps.now(), this.deps.codes);
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
