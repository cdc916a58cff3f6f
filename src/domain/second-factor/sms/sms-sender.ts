import type { UserRepository } from '../../users/user.repository.js';
import type { UserRecord } from '../../users/user.js';
import type { Outbox } from '../../delivery/outbox.js';
import { maskPhone } from '../../users/contact-masking.js';
import type { UserMail } from '../../notifications/user-mail.js';
import type { RunInBackground } from '../../../infrastructure/lifecycle/background-tasks.js';
import type { EventLog } from '../../events/event-log.js';
import type { Logger } from '../../../infrastructure/observability/logger.js';
import type { RateLimit, RateLimiters } from '../../../infrastructure/rate-limits/rate-limiters.js';
import type { TenantRecord } from '../../tenants/tenant.js';
import { toE164 } from '../../users/phone-number.js';
import { monthOf, type SmsBudget } from './sms-budget.js';

export type SmsRefusal = 'budget_exhausted' | 'country_not_allowed' | 'number_limit' | 'user_limit' | 'ip_limit' | 'delivery_failed';

/** DESIGN §7: per phone number 5 an hour and 10 a day, per user 10 a day; per address 30 an hour. */
export const SMS_SENDING_LIMITS = { perNumberHour: 5, perNumberDay: 10, perUserDay: 10, perIpHour: 30 };

/** The counters of those limits, from the shared rate-limiter store. */
export function createSmsLimits(limiters: RateLimiters): SmsLimits {
  return {
    perNumberHour: limiters.create('sms-number-hour', SMS_SENDING_LIMITS.perNumberHour, 3600),
    perNumberDay: limiters.create('sms-number-day', SMS_SENDING_LIMITS.perNumberDay, 86_400),
    perUserDay: limiters.create('sms-user-day', SMS_SENDING_LIMITS.perUserDay, 86_400),
    perIpHour: limiters.create('sms-ip-hour', SMS_SENDING_LIMITS.perIpHour, 3600),
  };
}

export interface SmsLimits {
  perNumberHour: RateLimit;
  perNumberDay: RateLimit;
  perUserDay: RateLimit;
  perIpHour: RateLimit;
}

export interface SmsSendRequest {
  tenant: TenantRecord;
  user: UserRecord;
  /** E.164. */
  phone: string;
  text: string;
  /** What the message is for: sms-sign-in-code, sms-enroll-code. */
  purpose: string;
  /** The code slot and the hash of the code in `text`: a stale code is never sent. */
  code?: { ownerId: string; hash: string };
  ip: string;
  userAgent?: string;
  clientId?: string;
}

export type SmsOutcome =
  /** `delayed`: the provider has not answered yet (or asked to retry): it may take a minute. */
  | { sent: true; delayed?: boolean; messageId: string }
  | { sent: false; reason: SmsRefusal; retryAfterSeconds?: number };

/** How long a page waits for the worker's outcome before saying the code is on its way. */
const WAIT_FOR_OUTCOME_MS = 4_000;

/** The refusal a rule gives, and the outbox's suppression reason for it. */
const LIMIT_RULES = [
  ['ip_limit', 'perIpHour', 'per_hour_limit'],
  ['user_limit', 'perUserDay', 'per_day_limit'],
  ['number_limit', 'perNumberHour', 'per_hour_limit'],
  ['number_limit', 'perNumberDay', 'per_day_limit'],
] as const;

/**
 * Every SMS Gatehouse sends goes through here, and SMS pumping stops here: the tenant's
 * allowed countries, per-number (5 an hour, 10 a day), per-user (10 a day) and per-IP limits,
 * then the tenant's monthly budget (administrators are emailed at 80 %). A message stopped by a
 * rule is recorded as suppressed with that rule; one that passes goes to the outbox, and the
 * caller learns what the worker made of it within a few seconds: the page tells the truth.
 */
export class SmsSender {
  constructor(
    private readonly deps: {
      budget: SmsBudget;
      outbox: Outbox;
      mail: UserMail;
      background: RunInBackground;
      events: EventLog;
      users: UserRepository;
      limits: SmsLimits;
      logger: Logger;
      now: () => Date;
      waitForOutcomeMs?: number;
    },
  ) {}

  /** Whether a number may receive SMS for this tenant (its own country unless others are allowed). */
  countryAllowed(tenant: TenantRecord, phone: string): boolean {
    const { settings } = tenant;
    const allowed = settings.sms.allowed_countries.length ? settings.sms.allowed_countries : [settings.country];
    const country = toE164(phone, settings.country)?.country;
    return country !== undefined && allowed.includes(country);
  }

  async send(request: SmsSendRequest): Promise<SmsOutcome> {
    const { tenant, user } = request;
    const recipient = { tenant_id: tenant.id, user_id: user.id, channel: 'sms' as const, purpose: request.purpose, destination: request.phone, destination_masked: maskPhone(request.phone) };
    if (!this.countryAllowed(tenant, request.phone)) {
      await this.deps.outbox.suppress(recipient, 'country_not_allowed');
      return { sent: false, reason: 'country_not_allowed' };
    }
    const keys = { perIpHour: request.ip, perUserDay: user.id, perNumberHour: request.phone, perNumberDay: request.phone };
    for (const [reason, limit, rule] of LIMIT_RULES) {
      const decision = await this.deps.limits[limit].consume(keys[limit]);
      if (!decision.allowed) {
        await this.deps.outbox.suppress(recipient, rule);
        return { sent: false, reason, retryAfterSeconds: decision.retryAfterSeconds };
      }
    }

    const budget = tenant.settings.sms.monthly_budget;
    const taken = await this.deps.budget.take(tenant.id, budget, this.deps.now());
    const context = { tenant_id: tenant.id, user_id: user.id, client_id: request.clientId, ip: request.ip, user_agent: request.userAgent };
    if (!taken.allowed) {
      this.deps.events.record({ type: 'mfa.budget_exhausted', ...context, reason: 'sms_budget_exhausted', details: { budget } });
      await this.deps.outbox.suppress(recipient, 'budget');
      return { sent: false, reason: 'budget_exhausted' };
    }
    if (taken.crossedAlert) this.deps.background(this.alertAdministrators(tenant, taken.sent, budget));

    const queued = await this.deps.outbox.enqueue({ ...recipient, payload: { text: request.text }, code: request.code });
    const message = await this.deps.outbox.outcome(queued, this.deps.waitForOutcomeMs ?? WAIT_FOR_OUTCOME_MS, { firstAttempt: true });
    if (message.status === 'failed' || message.status === 'suppressed') {
      this.deps.logger.warn({ userId: user.id, messageId: message.id, reason: message.reason }, 'SMS not sent');
      return { sent: false, reason: 'delivery_failed' };
    }
    this.deps.events.record({ type: 'mfa.code_sent', ...context, details: { to_last_digits: request.phone.slice(-2), message_id: message.id, status: message.status } });
    return { sent: true, delayed: message.status !== 'sent', messageId: message.id };
  }

  private async alertAdministrators(tenant: TenantRecord, sent: number, budget: number): Promise<void> {
    try {
      for (const admin of await this.deps.users.administrators(tenant.id)) {
        await this.deps.mail.send('sms-budget-alert', admin, tenant, { sent, budget, month: monthOf(this.deps.now()) });
      }
    } catch (err) {
      this.deps.logger.warn({ err, tenantId: tenant.id }, 'could not send the SMS budget alert');
    }
  }
}
