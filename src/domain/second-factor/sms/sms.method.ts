import { DEFAULT_LANGUAGE, languageOf } from '../../../infrastructure/i18n/languages.js';
import { translator } from '../../../infrastructure/i18n/translator.js';
import type { DeviceRepository } from '../../devices/device.repository.js';
import type { UserMail } from '../../notifications/user-mail.js';
import type { OneTimeCodeStore } from '../../one-time-codes/one-time-code.store.js';
import type { TenantRecord } from '../../tenants/tenant.js';
import { toE164 } from '../../users/phone-number.js';
import type { UserRepository } from '../../users/user.repository.js';
import type { UserRecord } from '../../users/user.js';
import type { Challenge, ChallengeRepository } from '../challenge.repository.js';
import type { EnrolledFacts, SecondFactorAttempt, SecondFactorMethod, SendOutcome, SendRefusal } from '../second-factor-method.js';
import type { SmsSender } from './sms-sender.js';

/** DESIGN §7: SMS code 6 digits, valid 5 min, 5 tries, resend after 30 s, only the newest valid. */
export const SMS_CODE_LIMITS = { codeTtlMs: 5 * 60_000, maxAttempts: 5, resendAfterMs: 30_000, stepTtlMs: 30 * 60_000 };

export interface SmsMethodDependencies {
  challenges: ChallengeRepository;
  codes: OneTimeCodeStore;
  sender: SmsSender;
  users: UserRepository;
  devices: DeviceRepository;
  mail: UserMail;
  now: () => Date;
}

/**
 * The SMS second factor: a 6-digit code to the profile's phone; enrollment of a number by a code
 * sent to it; a browser that passed is remembered for that number only.
 */
export class SmsMethod implements SecondFactorMethod {
  readonly id = 'sms' as const;
  readonly amr = 'sms';
  readonly challengePurpose = 'sign_in' as const;

  constructor(private readonly deps: SmsMethodDependencies) {}

  isEnrolled({ user }: EnrolledFacts): boolean {
    return Boolean(user.phone);
  }

  /** Only a number whose code was entered once is remembered (an administrator's is confirmed first). */
  rememberedFor({ user }: EnrolledFacts): string | null {
    return user.phone_verified ? user.phone : null;
  }

  async startChallenge(attempt: SecondFactorAttempt): Promise<{ started: true; challenge: Challenge; delayed?: boolean } | { started: false; reason: SendRefusal; retryAfterSeconds?: number }> {
    const challenge = await this.insert(attempt, 'sign_in', attempt.user.phone!);
    const sent = await this.send(attempt, challenge);
    if (sent.sent) return { started: true, challenge, delayed: sent.delayed };
    await this.deps.challenges.close(challenge.id, this.deps.now());
    return { started: false, reason: sent.reason, retryAfterSeconds: sent.retryAfterSeconds };
  }

  /** Sends a new code for a challenge (the first one, or "send new code"). */
  async send(attempt: SecondFactorAttempt, challenge: Challenge): Promise<SendOutcome> {
    const tenant = await attempt.tenant();
    // Reserve the code first, so only the newest code sent can ever match.
    const issued = await this.deps.codes.issue(challenge.id, SMS_CODE_LIMITS.codeTtlMs);
    const result = await this.deps.sender.send({
      tenant,
      user: attempt.user,
      phone: challenge.destination,
      // In the user's language (users.locale), English when unset.
      text: translator(languageOf(attempt.user.locale) ?? DEFAULT_LANGUAGE)('sms.code', { code: issued.code, organisation: tenant.name }),
      purpose: challenge.purpose === 'enroll' ? 'sms-enroll-code' : 'sms-sign-in-code',
      code: { ownerId: challenge.id, hash: issued.hash },
      ...attempt.request,
    });
    if (!result.sent) return result;
    await this.deps.codes.recordSend(challenge.id);
    return { sent: true, delayed: result.delayed };
  }

  /** Starts binding the number the person typed: a code is sent to it; it is saved only once confirmed. */
  async beginEnrollment(attempt: SecondFactorAttempt, input: string): Promise<{ started: true; challenge: Challenge } | { started: false; reason: SendRefusal; retryAfterSeconds?: number }> {
    const tenant = await attempt.tenant();
    const parsed = toE164(input, tenant.settings.country);
    if (!parsed) return { started: false, reason: 'invalid_phone' };
    if (!this.deps.sender.countryAllowed(tenant, parsed.e164)) return { started: false, reason: 'country_not_allowed' };
    const challenge = await this.insert(attempt, 'enroll', parsed.e164);
    const sent = await this.send(attempt, challenge);
    return sent.sent ? { started: true, challenge } : { started: false, reason: sent.reason, retryAfterSeconds: sent.retryAfterSeconds };
  }

  async verify(_attempt: SecondFactorAttempt, challenge: Challenge, input: string) {
    const check = await this.deps.codes.check(challenge.id, input);
    if (!check.ok) return check;
    return (await this.deps.codes.consume(challenge.id)) ? { ok: true as const } : { ok: false as const, reason: 'closed' as const };
  }

  /**
   * After a right code to a new or unconfirmed number: the number is trusted (a new one saved,
   * an administrator's confirmed), and browsers remembered for an old number must pass again.
   */
  async confirmNumber(attempt: SecondFactorAttempt, phone: string): Promise<void> {
    const { user } = attempt;
    if (user.phone === phone && user.phone_verified) return;
    await this.deps.users.update(user.id, { phone, phone_verified: true });
    attempt.user = { ...user, phone, phone_verified: true };
    if (user.phone !== phone) {
      await this.deps.devices.forgetSecondFactor(user.id);
      await notifyPhoneChange(this.deps.mail, user, await attempt.tenant(), phone, 'added by you at sign-in', this.deps.now());
    }
  }

  secondsUntilResend(slot: Parameters<OneTimeCodeStore['secondsUntilResend']>[0]): number {
    return this.deps.codes.secondsUntilResend(slot, SMS_CODE_LIMITS.resendAfterMs);
  }

  private insert(attempt: SecondFactorAttempt, purpose: 'sign_in' | 'enroll', destination: string): Promise<Challenge> {
    return this.deps.challenges.open(attempt, purpose, destination, SMS_CODE_LIMITS, this.deps.now(), this.deps.codes);
  }
}

/** Every phone change is told to the user by email (DESIGN §7). */
export async function notifyPhoneChange(mail: UserMail, user: UserRecord, tenant: TenantRecord, phone: string, how: string, when: Date): Promise<void> {
  await mail.send('phone-changed', user, tenant, { how, when, last4: phone.slice(-4) });
}
