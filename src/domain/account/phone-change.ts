import type { DeviceRepository } from '../devices/device.repository.js';
import type { EventLog } from '../events/event-log.js';
import type { UserMail } from '../notifications/user-mail.js';
import type { ChallengeRepository } from '../second-factor/challenge.repository.js';
import type { SendRefusal } from '../second-factor/second-factor-method.js';
import { notifyPhoneChange, type SmsMethod } from '../second-factor/sms/sms.method.js';
import type { UserRepository } from '../users/user.repository.js';
import type { UserRecord } from '../users/user.js';
import { accountEventFields, type AccountSubject } from './account-subject.js';
import { accountAttempt } from './fresh-second-factor.js';

export interface PhoneChangeDependencies {
  sms: SmsMethod;
  challenges: ChallengeRepository;
  users: UserRepository;
  devices: DeviceRepository;
  mail: UserMail;
  events: EventLog;
  now: () => Date;
}

export type PhoneChangeStart = { started: true; challengeId: string; last4: string } | { started: false; reason: SendRefusal };
export type PhoneChangeOutcome = { ok: true; user: UserRecord } | { ok: false; reason: 'wrong_code' | 'too_many_attempts' | 'code_expired' | 'closed'; triesLeft?: number };

/**
 * A person changes their own mobile number: a 6-digit code is texted to the new number (the
 * same sending, limits and budget as adding a number at sign-in), and the number is saved only
 * once that code comes back. Browsers remembered for the old number must pass again, and the
 * person is told by email.
 */
export class PhoneChange {
  constructor(private readonly deps: PhoneChangeDependencies) {}

  async start(subject: AccountSubject, input: string): Promise<PhoneChangeStart> {
    const started = await this.deps.sms.beginEnrollment(accountAttempt(subject), input);
    if (!started.started) return { started: false, reason: started.reason };
    this.deps.events.record({ type: 'account.phone_change_started', ...accountEventFields(subject), details: { last4: started.challenge.destination.slice(-4) } });
    return { started: true, challengeId: started.challenge.id, last4: started.challenge.destination.slice(-4) };
  }

  async confirm(subject: AccountSubject, challengeId: string, code: string): Promise<PhoneChangeOutcome> {
    const now = this.deps.now();
    const challenge = await this.deps.challenges.findById(challengeId);
    const attempt = accountAttempt(subject);
    if (!challenge || challenge.purpose !== 'enroll' || challenge.user_id !== subject.user.id || challenge.interaction_uid !== attempt.interactionUid) return { ok: false, reason: 'closed' };
    if (challenge.completed_at || challenge.expires_at <= now) return { ok: false, reason: 'closed' };
    const result = await this.deps.sms.verify(attempt, challenge, code);
    if (!result.ok) {
      if (result.reason === 'wrong_code' && result.triesLeft === 0) {
        await this.deps.challenges.close(challenge.id, now);
        return { ok: false, reason: 'too_many_attempts' };
      }
      return result.reason === 'wrong_code' ? { ok: false, reason: 'wrong_code', triesLeft: result.triesLeft } : { ok: false, reason: result.reason };
    }
    if (!(await this.deps.challenges.complete(challenge.id, now))) return { ok: false, reason: 'closed' };
    const phone = challenge.destination;
    const previous = subject.user.phone;
    const user = await this.deps.users.update(subject.user.id, { phone, phone_verified: true });
    if (previous !== phone) await this.deps.devices.forgetSecondFactor(user.id);
    this.deps.events.record({ type: 'account.phone_changed', ...accountEventFields(subject), details: { last4: phone.slice(-4), had_phone: Boolean(previous) } });
    await notifyPhoneChange(this.deps.mail, subject.user, subject.tenant, phone, 'changed by you on your account page', now);
    return { ok: true, user };
  }
}
