import type { UserRecord } from '../users/user.js';
import type { Logger } from '../../infrastructure/observability/logger.js';
import type { RateLimit } from '../../infrastructure/rate-limits/rate-limiters.js';
import type { TenantRepository } from '../tenants/tenant.repository.js';
import type { UserMail } from './user-mail.js';
import type { RunInBackground } from '../../infrastructure/lifecycle/background-tasks.js';

/**
 * Tells a user their sign-in was locked (DESIGN §8). Each further failure starts a longer lock;
 * one email an hour is enough to warn without flooding the mailbox of someone under attack.
 */
/** At most one account-locked notice per user an hour. */
export const LOCK_NOTICES_PER_HOUR = 1;

export class LockNotifier {
  constructor(private readonly deps: { mail: UserMail; tenants: TenantRepository; perUser: RateLimit; logger: Logger; background: RunInBackground }) {}

  notify(user: UserRecord, until: Date): void {
    this.deps.background(this.send(user, until));
  }

  private async send(user: UserRecord, until: Date): Promise<void> {
    try {
      if (!user.email || !(await this.deps.perUser.consume(user.id)).allowed) return;
      const tenant = await this.deps.tenants.findById(user.tenant_id);
      await this.deps.mail.send('account-locked', user, tenant, { until });
    } catch (err) {
      this.deps.logger.warn({ err, userId: user.id }, 'could not send the account-locked notice');
    }
  }
}
