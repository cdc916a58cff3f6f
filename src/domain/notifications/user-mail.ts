import type { UserRecord } from '../users/user.js';
import type { Courier } from '../../infrastructure/courier/courier.js';
import { renderEmail, type EmailTemplate } from '../../infrastructure/courier/email-templates.js';
import type { Logger } from '../../infrastructure/observability/logger.js';

/**
 * Emails to a user: every template gets the same greeting facts (name, username, organisation),
 * and a delivery failure is logged, never allowed to undo what the email reports. Returns
 * whether it was sent.
 */
export class UserMail {
  constructor(private readonly deps: { courier: Courier; logger: Logger }) {}

  async send(template: EmailTemplate, user: Pick<UserRecord, 'id' | 'email' | 'name' | 'username'>, organisation: string | undefined, data: Record<string, unknown> = {}): Promise<boolean> {
    if (!user.email) {
      this.deps.courier.withheld?.('email', 'no_address');
      return false;
    }
    try {
      await this.deps.courier.sendEmail(renderEmail(template, user.email, { name: user.name ?? user.username, username: user.username, organisation: organisation ?? 'your organisation', ...data }));
      return true;
    } catch (err) {
      this.deps.logger.warn({ err, userId: user.id, template }, 'could not send an email');
      return false;
    }
  }
}
