import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import type { Accepted, Courier, EmailMessage, SmsMessage } from './courier.js';

export type OutboxEntry =
  | ({ channel: 'email'; at: string; id: string } & EmailMessage)
  | ({ channel: 'sms'; at: string; id: string } & SmsMessage);

const KEEP = 100;

/**
 * Development delivery: messages are kept in memory, listed at /dev/outbox beside their status
 * and written to the log (this is the one place a code is meant to be read by a person; never in
 * production).
 */
export class DevOutbox implements Courier {
  private readonly entries: OutboxEntry[] = [];

  constructor(private readonly logger: Logger) {}

  async sendEmail(message: EmailMessage): Promise<Accepted> {
    const id = this.keep({ channel: 'email', ...message });
    this.logger.info({ outbox: { channel: 'email', to: message.to, subject: message.subject, body: message.text } }, 'dev outbox: email');
    return { providerMessageId: id };
  }

  async sendSms(message: SmsMessage): Promise<Accepted> {
    const id = this.keep({ channel: 'sms', ...message });
    this.logger.info({ outbox: { channel: 'sms', to: message.to, body: message.text } }, 'dev outbox: sms');
    return { providerMessageId: id };
  }

  /** Newest first. */
  list(): OutboxEntry[] {
    return [...this.entries].reverse();
  }

  /** A delivered message by the id this outbox gave it. */
  find(providerMessageId: string): OutboxEntry | undefined {
    return this.entries.find((e) => e.id === providerMessageId);
  }

  private keep(message: ({ channel: 'email' } & EmailMessage) | ({ channel: 'sms' } & SmsMessage)): string {
    const id = `dev-${randomUUID()}`;
    this.entries.push({ ...message, at: new Date().toISOString(), id } as OutboxEntry);
    if (this.entries.length > KEEP) this.entries.shift();
    return id;
  }
}
