import { toE164 } from '../users/phone-number.js';
import type { UserRepository } from '../users/user.repository.js';
import type { UserRecord } from '../users/user.js';
import type { UserMail } from '../notifications/user-mail.js';
import type { DeviceRepository } from '../devices/device.repository.js';
import type { EventLog } from '../events/event-log.js';
import type { OneTimeCodes } from '../one-time-codes/one-time-code.js';
import type { SmsRefusal, SmsSender } from './sms/sms-sender.js';
import type { TenantRecord } from '../tenants/tenant.js';
import { deviceStillRemembered, secondFactorStep, type SecondFactorStep } from './second-factor-policy.js';
import type { ChallengePurpose, SmsChallenge, SmsChallengeRepository } from './sms-challenge.repository.js';

/** DESIGN §7: SMS code 6 digits, valid 5 min, 5 tries, resend after 30 s, only the newest valid. */
export const SMS_CODE_LIMITS = { codeTtlMs: 5 * 60_000, maxAttempts: 5, resendAfterMs: 30_000, stepTtlMs: 30 * 60_000 };
/** The emailed code that must precede a later phone change. */
const EMAIL_GATE_CODE_TTL_MS = 15 * 60_000;

export interface RequestContext {
  ip: string;
  userAgent?: string;
  clientId?: string;
}

export type SendOutcome = { sent: true; challenge: SmsChallenge } | { sent: false; reason: SmsRefusal | 'too_soon' | 'too_many_codes' | 'invalid_phone'; retryAfterSeconds?: number; challenge?: SmsChallenge };

export type VerifyOutcome = { ok: true } | { ok: false; reason: 'wrong_code'; triesLeft: number } | { ok: false; reason: 'too_many_attempts' | 'code_expired' | 'closed' };

export interface SecondFactorDependencies {
  challenges: SmsChallengeRepository;
  users: UserRepository;
  devices: DeviceRepository;
  sender: SmsSender;
  codes: OneTimeCodes;
  mail: UserMail;
  events: EventLog;
  now: () => Date;
  /** Too many wrong codes count toward the sign-in lockout. */
  onTooManyWrongCodes?: (user: UserRecord, ip: string) => Promise<void>;
  /** A passed step clears the count of exhausted challenges. */
  onSecondFactorPassed?: (user: UserRecord) => Promise<void>;
}

/**
 * The SMS second factor: what a sign-in needs, sending and checking codes, adding a phone, and
 * remembering a browser for `mfa.reverify_days`.
 */
export class SecondFactorService {
  constructor(private readonly deps: SecondFactorDependencies) {}

  async stepFor(user: UserRecord, tenant: TenantRecord, session: { amr?: string[]; deviceHash?: string; warningAcknowledged?: boolean }): Promise<SecondFactorStep> {
    const { mfa } = tenant.settings;
    if (mfa.mode === 'off') return { step: 'none' };
    const device = session.deviceHash ? await this.deps.devices.find(session.deviceHash, user.id) : undefined;
    return secondFactorStep({
      mfa,
      phone: user.phone,
      smsDoneInSession: session.amr?.includes('sms') ?? false,
      rememberedDevice: user.phone_verified && deviceStillRemembered(device, user.phone, mfa.reverify_days, this.deps.now()),
      warningAcknowledged: session.warningAcknowledged ?? false,
    });
  }

  /**
   * A phone may be added without an emailed code only right after the password step of the
   * user's very first sign-in (an invitation); any later addition or change proves the mailbox.
   */
  emailGateNeeded(user: UserRecord, passwordEnteredInThisSignIn: boolean): boolean {
    return !(passwordEnteredInThisSignIn && user.previous_login_at === null);
  }

  async openStep(interactionUid: string, user: UserRecord, purpose: ChallengePurpose): Promise<SmsChallenge | undefined> {
    const step = await this.deps.challenges.findOpen(interactionUid, user.id, purpose, this.deps.now());
    return step && step.failed_attempts < SMS_CODE_LIMITS.maxAttempts ? step : undefined;
  }

  async emailGatePassed(interactionUid: string, user: UserRecord): Promise<boolean> {
    return this.deps.challenges.completedIn(interactionUid, user.id, 'email_gate');
  }

  /** Opens a sign-in step and sends its first code to the profile's phone. */
  async startSignInCode(interactionUid: string, user: UserRecord, tenant: TenantRecord, request: RequestContext): Promise<SendOutcome> {
    const challenge = await this.deps.challenges.insert({ user_id: user.id, interaction_uid: interactionUid, purpose: 'sign_in', destination: user.phone!, expires_at: this.expiry() });
    return this.sendSms(challenge, user, tenant, request);
  }

  /** Parses the number the user typed and sends it a code; the number is saved only once confirmed. */
  async startEnrollment(interactionUid: string, user: UserRecord, tenant: TenantRecord, phoneInput: string, request: RequestContext): Promise<SendOutcome> {
    const parsed = toE164(phoneInput, tenant.settings.country);
    if (!parsed) return { sent: false, reason: 'invalid_phone' };
    if (!this.deps.sender.countryAllowed(tenant, parsed.e164)) return { sent: false, reason: 'country_not_allowed' };
    const challenge = await this.deps.challenges.insert({ user_id: user.id, interaction_uid: interactionUid, purpose: 'enroll', destination: parsed.e164, expires_at: this.expiry() });
    return this.sendSms(challenge, user, tenant, request);
  }

  /** Emails a code that must be entered before a phone is added or changed after the first sign-in. */
  async startEmailGate(interactionUid: string, user: UserRecord, tenant: TenantRecord): Promise<SmsChallenge | undefined> {
    if (!user.email) return undefined;
    const challenge = await this.deps.challenges.insert({ user_id: user.id, interaction_uid: interactionUid, purpose: 'email_gate', destination: user.email, expires_at: this.expiry() });
    await this.sendEmailCode(challenge, user, tenant);
    return challenge;
  }

  /** "Send new code": only after 30 s; the new code replaces the old; wrong tries keep counting. */
  async resend(challenge: SmsChallenge, user: UserRecord, tenant: TenantRecord, request: RequestContext): Promise<SendOutcome> {
    const wait = this.secondsUntilResend(challenge);
    if (wait > 0) return { sent: false, reason: 'too_soon', retryAfterSeconds: wait, challenge };
    if (challenge.purpose === 'email_gate') {
      await this.sendEmailCode(challenge, user, tenant);
      return { sent: true, challenge };
    }
    return this.sendSms(challenge, user, tenant, request);
  }

  secondsUntilResend(challenge: SmsChallenge): number {
    if (!challenge.last_sent_at) return 0;
    return Math.max(0, Math.ceil((challenge.last_sent_at.getTime() + SMS_CODE_LIMITS.resendAfterMs - this.deps.now().getTime()) / 1000));
  }

  async verify(challenge: SmsChallenge, code: string, user: UserRecord, request: RequestContext): Promise<VerifyOutcome> {
    const now = this.deps.now();
    if (challenge.completed_at || challenge.expires_at <= now) return { ok: false, reason: 'closed' };
    if (challenge.failed_attempts >= SMS_CODE_LIMITS.maxAttempts) return { ok: false, reason: 'too_many_attempts' };
    const context = { tenant_id: user.tenant_id, user_id: user.id, client_id: request.clientId, ip: request.ip, user_agent: request.userAgent };
    if (!this.deps.codes.matches(challenge.id, code, challenge.code_hash)) {
      const attempts = await this.deps.challenges.recordFailedAttempt(challenge.id);
      if (attempts >= SMS_CODE_LIMITS.maxAttempts) {
        await this.deps.challenges.close(challenge.id, now);
        this.deps.events.record({ type: 'mfa.failed', ...context, reason: 'too_many_wrong_codes', details: { purpose: challenge.purpose } });
        await this.deps.onTooManyWrongCodes?.(user, request.ip);
        return { ok: false, reason: 'too_many_attempts' };
      }
      this.deps.events.record({ type: 'mfa.failed', ...context, reason: 'wrong_code', details: { purpose: challenge.purpose } });
      return { ok: false, reason: 'wrong_code', triesLeft: SMS_CODE_LIMITS.maxAttempts - attempts };
    }
    if (!challenge.code_expires_at || challenge.code_expires_at <= now) return { ok: false, reason: 'code_expired' };
    if (!(await this.deps.challenges.complete(challenge.id, now))) return { ok: false, reason: 'closed' };
    if (challenge.purpose !== 'email_gate') {
      this.deps.events.record({ type: 'mfa.succeeded', ...context, details: { purpose: challenge.purpose } });
      await this.deps.onSecondFactorPassed?.(user);
    }
    return { ok: true };
  }

  /**
   * After a correct SMS code: the number is trusted (a new one saved, an administrator's
   * confirmed), and this browser is remembered for `reverify_days`.
   */
  async confirmPhone(challenge: SmsChallenge, user: UserRecord, tenant: TenantRecord, deviceHash: string): Promise<void> {
    const phone = challenge.destination;
    if (user.phone !== phone || !user.phone_verified) {
      await this.deps.users.update(user.id, { phone, phone_verified: true });
      if (user.phone !== phone) {
        // Other browsers were remembered for the old number: they must pass the step again.
        await this.deps.devices.forgetSecondFactor(user.id);
        await this.notifyPhoneChange(user, tenant, phone, 'added by you at sign-in');
      }
    }
    await this.deps.devices.rememberSecondFactor(deviceHash, user.id, phone, this.deps.now());
  }

  async notifyPhoneChange(user: UserRecord, tenant: TenantRecord, phone: string, how: string): Promise<void> {
    await this.deps.mail.send('phone-changed', user, tenant.name, { how, when: this.deps.now().toUTCString(), last4: phone.slice(-4) });
  }


  private async sendSms(challenge: SmsChallenge, user: UserRecord, tenant: TenantRecord, request: RequestContext): Promise<SendOutcome> {
    const code = this.deps.codes.generate();
    const result = await this.deps.sender.send({ tenant, user, phone: challenge.destination, text: `${code} is your ${tenant.name} sign-in code. It expires in 5 minutes. Never share it.`, ...request });
    if (!result.sent) return { ...result, challenge };
    const now = this.deps.now();
    await this.deps.challenges.recordCode(challenge.id, this.deps.codes.hash(challenge.id, code), new Date(now.getTime() + SMS_CODE_LIMITS.codeTtlMs), now);
    return { sent: true, challenge: (await this.deps.challenges.findById(challenge.id))! };
  }

  private async sendEmailCode(challenge: SmsChallenge, user: UserRecord, tenant: TenantRecord): Promise<void> {
    const code = this.deps.codes.generate();
    const now = this.deps.now();
    await this.deps.challenges.recordCode(challenge.id, this.deps.codes.hash(challenge.id, code), new Date(now.getTime() + EMAIL_GATE_CODE_TTL_MS), now);
    // Not `user.email`: the code goes to the address the step was opened for.
    await this.deps.mail.send('phone-change-code', { ...user, email: challenge.destination }, tenant.name, { code, minutes: EMAIL_GATE_CODE_TTL_MS / 60_000 });
  }

  private expiry(): Date {
    return new Date(this.deps.now().getTime() + SMS_CODE_LIMITS.stepTtlMs);
  }
}
