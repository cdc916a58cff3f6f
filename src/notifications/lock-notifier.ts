import type { UserRecord } from '../accounts/user.repository.js';
import type { Courier } from '../courier/courier.js';
import { renderEmail } from '../courier/email-templates.js';
import type { Logger } from '../observability/logger.js';
import type { RateLimit } from '../rate-limits/rate-limiters.js';
import type { TenantRepository } from '../tenants/tenant.repository.js';

/**
 * Tells a user their sign-in was locked (DESIGN §8). Each further failure starts a longer lock;
 * one email an hour is enough to warn without flooding the mailbox of someone under attack.
 */
export class LockNotifier {
  constructor(private readonly deps: { courier: Courier; tenants: TenantRepository; perUser: RateLimit; logger: Logger }) {}

  notify(user: UserRecord, until: Date): void {
    void this.send(user, until);
  }

  private async send(user: UserRecord, until: Date): Promise<void> {
    try {
      if (!user.email || !(await this.deps.perUser.consume(user.id)).allowed) return;
      const tenant = await this.deps.tenants.findById(user.tenant_id);
      await this.deps.courier.sendEmail(renderEmail('account-locked', user.email, { name: user.name ?? user.username, username: user.username, until: until.toUTCString(), organisation: tenant?.name ?? 'your organisation' }));
    } catch (err) {
      this.deps.logger.warn({ err, userId: user.id }, 'could not send the account-locked notice');
    }
  }
}
