/**
 * Every email and SMS leaves Gatehouse through a courier; no flow talks to a mail or SMS
 * service itself. Implementations: SES/SNS (production) and the dev outbox. A courier only
 * does the I/O: what is sent, when and how often is decided by the outbox worker.
 */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface SmsMessage {
  /** E.164 phone number. */
  to: string;
  text: string;
}

export type Channel = 'email' | 'sms';

/** The provider accepted the message, under this id (SES and SNS message ids). */
export interface Accepted {
  providerMessageId: string;
}

/**
 * The provider did not accept a message. `retryable`: throttling, a server error or a network
 * failure, worth another attempt later; otherwise the provider refused this message for good
 * (rejected address, unverified sender, invalid number). `reason` is the provider's own words.
 */
export class DeliveryError extends Error {
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
  ) {
    super(reason);
    this.name = 'DeliveryError';
  }
}

export interface Courier {
  sendEmail(message: EmailMessage): Promise<Accepted>;
  sendSms(message: SmsMessage): Promise<Accepted>;
  /**
   * Told of a message Gatehouse decided not to send (a rate limit, the SMS budget, no address),
   * so that counts of messages are complete. `reason` is a code, never the message.
   */
  withheld?(channel: Channel, reason: string): void;
}
