import type { UserRepository } from '../../users/user.repository.js';
import type { UserRecord } from '../../users/user.js';
import type { Courier } from '../../../infrastructure/courier/courier.js';
import type { UserMail } from '../../notifications/user-mail.js';
import type { RunInBackground } from '../../../infrastructure/lifecycle/background-tasks.js';
import type { EventLog } from '../../events/event-log.js';
import type { Logger } from '../../../infrastructure/observability/logger.js';
import type { RateLimit } from '../../../infrastructure/rate-limits/rate-limiters.js';
import type { TenantRecord } from '../../tenants/tenant.js';
import { toE164 } from '../../users/phone-number.js';
import { monthOf, type SmsBudget } from './sms-budget.js';

export type SmsRefusal = 'budget_exhausted' | 'country_not_allowed' | 'number_limit' | 'user_limit' | 'ip_limit' | 'delivery_failed';

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
  ip: string;
  userAgent?: string;
  clientId?: string;
}

/**
 * Every SMS Gatehouse sends goes through here, and SMS pumping stops here: the tenant's
 * allowed countries, per-number (5 an hour, 10 a day), per-user (10 a day) and per-IP limits,
 * then the tenant's monthly budget (administrators are emailed at 80 %).
 */
export class SmsSender {
  constructor(
    private readonly deps: { budget: SmsBudget; courier: Courier; mail: UserMail; background: RunInBackground; events: EventLog; users: UserRepository; limits: SmsLimits; logger: Logger; now: () => Date },
  ) {}

  /** Whether a number may receive SMS for this tenant (its own country unless others are allowed). */
  countryAllowed(tenant: TenantRecord, phone: string): boolean {
    const { settings } = tenant;
    const allowed = settings.sms.allowed_countries.length ? settings.sms.allowed_countries : [settings.country];
    const country = toE164(phone, settings.country)?.country;
    return country !== undefined && allowed.includes(country);
  }

  async send(request: SmsSendRequest): Promise<{ sent: true } | { sent: false; reason: SmsRefusal; retryAfterSeconds?: number }> {
    const outcome = await this.attempt(request);
    // A delivery failure was counted by the courier itself; the others never reached it.
    if (!outcome.sent && outcome.reason !== 'delivery_failed') this.deps.courier.withheld?.('sms', outcome.reason);
    return outcome;
  }

  private async attempt(request: SmsSendRequest): Promise<{ sent: true } | { sent: false; reason: SmsRefusal; retryAfterSeconds?: number }> {
    const { tenant, user } = request;
    if (!this.countryAllowed(tenant, request.phone)) return { sent: false, reason: 'country_not_allowed' };
    for (const [reason, limit, key] of [
      ['ip_limit', this.deps.limits.perIpHour, request.ip],
      ['user_limit', this.deps.limits.perUserDay, user.id],
      ['number_limit', this.deps.limits.perNumberHour, request.phone],
      ['number_limit', this.deps.limits.perNumberDay, request.phone],
    ] as const) {
      const decision = await limit.consume(key);
      if (!decision.allowed) return { sent: false, reason, retryAfterSeconds: decision.retryAfterSeconds };
    }

    const budget = tenant.settings.sms.monthly_budget;
    const taken = await this.deps.budget.take(tenant.id, budget, this.deps.now());
    const context = { tenant_id: tenant.id, user_id: user.id, client_id: request.clientId, ip: request.ip, user_agent: request.userAgent };
    if (!taken.allowed) {
      this.deps.events.record({ type: 'mfa.budget_exhausted', ...context, reason: 'sms_budget_exhausted', details: { budget } });
      return { sent: false, reason: 'budget_exhausted' };
    }
    if (taken.crossedAlert) this.deps.background(this.alertAdministrators(tenant, taken.sent, budget));

    try {
      await this.deps.courier.sendSms({ to: request.phone, text: request.text });
    } catch (err) {
      this.deps.logger.error({ err, userId: user.id }, 'SMS delivery failed');
      return { sent: false, reason: 'delivery_failed' };
    }
    this.deps.events.record({ type: 'mfa.code_sent', ...context, details: { to_last_digits: request.phone.slice(-2) } });
    return { sent: true };
  }

  private async alertAdministrators(tenant: TenantRecord, sent: number, budget: number): Promise<void> {
    try {
      for (const admin of await this.deps.users.administrators(tenant.id)) {
        await this.deps.mail.send('sms-budget-alert', admin, tenant.name, { sent, budget, month: monthOf(this.deps.now()) });
      }
    } catch (err) {
      this.deps.logger.warn({ err, tenantId: tenant.id }, 'could not send the SMS budget alert');
    }
  }
}
