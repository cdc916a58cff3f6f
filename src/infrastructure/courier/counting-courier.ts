import type { Accepted, Channel, Courier, EmailMessage, SmsMessage } from './courier.js';

export type MessageOutcome = (channel: Channel, status: 'sent' | 'failed' | 'suppressed', reason?: string) => void;

/** A courier that reports what became of every message (metrics), around the one that delivers. */
export class CountingCourier implements Courier {
  constructor(
    private readonly inner: Courier,
    private readonly outcome: MessageOutcome,
  ) {}

  sendEmail(message: EmailMessage): Promise<Accepted> {
    return this.count('email', () => this.inner.sendEmail(message));
  }

  sendSms(message: SmsMessage): Promise<Accepted> {
    return this.count('sms', () => this.inner.sendSms(message));
  }

  withheld(channel: Channel, reason: string): void {
    this.outcome(channel, 'suppressed', reason);
    this.inner.withheld?.(channel, reason);
  }

  private async count(channel: Channel, send: () => Promise<Accepted>): Promise<Accepted> {
    let accepted: Accepted;
    try {
      accepted = await send();
    } catch (err) {
      this.outcome(channel, 'failed', (err as { name?: string }).name);
      throw err;
    }
    this.outcome(channel, 'sent');
    return accepted;
  }
}
