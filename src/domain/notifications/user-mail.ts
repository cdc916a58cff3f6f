import type { Knex } from 'knex';
import type { UserRecord } from '../users/user.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { SignInApps } from '../clients/sign-in-apps.js';
import type { Outbox } from '../delivery/outbox.js';
import type { MessageRecord, SuppressionReason } from '../delivery/message.js';
import { maskEmail } from '../users/contact-masking.js';
import { brandOf } from '../tenants/branding.js';
import { renderEmail, type EmailTemplate } from '../../infrastructure/courier/email-templates.js';
import { inTimeZone } from '../../infrastructure/formatting/human-time.js';
import { DEFAULT_LANGUAGE, languageOf } from '../../infrastructure/i18n/languages.js';
import type { Logger } from '../../infrastructure/observability/logger.js';

export interface MailOptions {
  /** Writes the message in this transaction, with the change it reports; call `wake` once it commits. */
  writer?: Knex.Transaction;
  /** The one-time-code slot and the hash of the code the email carries: a stale code is not sent. */
  code?: { ownerId: string; hash: string };
  /** The client of the sign-in the email is about (named as the app, with where to sign in). */
  clientId?: string | null;
}

/**
 * Emails to a user, through the outbox: every template gets the same greeting facts (name,
 * username, organisation, the app and where to sign in), instants in the tenant's time zone,
 * all in the user's language.
 * A user without an address gets a suppressed message, so support sees why nothing came.
 * Without a transaction, a failure to queue is logged, never allowed to undo what the email
 * reports. Returns the message.
 */
export class UserMail {
  constructor(private readonly deps: { outbox: Outbox; apps: SignInApps; logger: Logger; /** Where the logo is served from (emails need absolute URLs). */ issuer: string }) {}

  async send(template: EmailTemplate, user: Pick<UserRecord, 'id' | 'email' | 'name' | 'username' | 'tenant_id'> & { locale?: string | null }, tenant: TenantRecord | undefined, data: Record<string, unknown> = {}, options: MailOptions = {}): Promise<MessageRecord | undefined> {
    const write = async (): Promise<MessageRecord> => {
      const recipient = { tenant_id: user.tenant_id, user_id: user.id, channel: 'email' as const, purpose: template };
      if (!user.email) return this.deps.outbox.suppress({ ...recipient, destination: '', destination_masked: '' }, 'no_address', options.writer);
      const app = await this.deps.apps.describe(user.tenant_id, options.clientId ?? undefined, options.writer);
      const timeZone = tenant?.settings.time_zone ?? 'UTC';
      // The user's own language (users.locale, BCP 47), English when unset or not one Gatehouse speaks.
      const language = languageOf(user.locale) ?? DEFAULT_LANGUAGE;
      const facts = Object.fromEntries(Object.entries(data).map(([key, value]) => [key, value instanceof Date ? inTimeZone(value, timeZone, language) : value]));
      const brand = tenant ? brandOf(tenant) : undefined;
      // An empty organisation is named "your organisation" in the email's language.
      const email = renderEmail(
        template,
        user.email,
        {
          name: user.name ?? user.username,
          username: user.username,
          organisation: brand?.name ?? '',
          app,
          brand: brand && { logoUrl: brand.logoPath && `${this.deps.issuer}${brand.logoPath}`, color: brand.primaryColor, supportContact: brand.supportContact, supportUrl: brand.supportUrl },
          ...facts,
        },
        language,
      );
      return this.deps.outbox.enqueue(
        { ...recipient, destination: user.email, destination_masked: maskEmail(user.email), payload: { subject: email.subject, text: email.text, html: email.html }, code: options.code },
        options.writer,
      );
    };
    if (options.writer) return write();
    try {
      return await write();
    } catch (err) {
      this.deps.logger.warn({ err, userId: user.id, template }, 'could not queue an email');
      return undefined;
    }
  }

  /** Records an email a rule stopped (an hourly limit, no address): nothing is sent. */
  async suppressed(template: EmailTemplate, user: Pick<UserRecord, 'id' | 'email' | 'tenant_id'>, reason: SuppressionReason): Promise<MessageRecord> {
    return this.deps.outbox.suppress({ tenant_id: user.tenant_id, user_id: user.id, channel: 'email', purpose: template, destination: user.email ?? '', destination_masked: user.email ? maskEmail(user.email) : '' }, reason);
  }

  /** The message once sent or failed for good, or as it stands after `timeoutMs`. */
  outcome(message: MessageRecord, timeoutMs: number): Promise<MessageRecord> {
    return this.deps.outbox.outcome(message, timeoutMs);
  }

  /** After the transaction that wrote a message commits: send it now. */
  wake(): void {
    this.deps.outbox.wake();
  }
}
