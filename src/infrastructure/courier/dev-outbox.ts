import type { Logger } from '../observability/logger.js';
import type { Courier, EmailMessage, SmsMessage } from './courier.js';

export type OutboxEntry =
  | ({ channel: 'email'; at: string } & EmailMessage)
  | ({ channel: 'sms'; at: string } & SmsMessage);

const KEEP = 100;

/**
 * Development delivery: messages are kept in memory, listed at /dev/outbox and written to the
 * log (this is the one place a code is meant to be read by a person; never in production).
 */
export class DevOutbox implements Courier {
  private readonly entries: OutboxEntry[] = [];

  constructor(private readonly logger: Logger) {}

  async sendEmail(message: EmailMessage): Promise<void> {
    this.keep({ channel: 'email', at: new Date().toISOString(), ...message });
    this.logger.info({ outbox: { channel: 'email', to: message.to, subject: message.subject, body: message.text } }, 'dev outbox: email');
  }

  async sendSms(message: SmsMessage): Promise<void> {
    this.keep({ channel: 'sms', at: new Date().toISOString(), ...message });
    this.logger.info({ outbox: { channel: 'sms', to: message.to, body: message.text } }, 'dev outbox: sms');
  }

  /** Newest first. */
  list(): OutboxEntry[] {
    return [...this.entries].reverse();
  }

  private keep(entry: OutboxEntry): void {
    this.entries.push(entry);
    if (this.entries.length > KEEP) this.entries.shift();
  }
}
