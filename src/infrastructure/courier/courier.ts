/**
 * Every email and SMS leaves Gatehouse through a courier; no flow talks to a mail or SMS
 * service itself. Implementations: SES/SNS (production) and the dev outbox.
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

export interface Courier {
  sendEmail(message: EmailMessage): Promise<void>;
  sendSms(message: SmsMessage): Promise<void>;
  /**
   * Told of a message Gatehouse decided not to send (a rate limit, the SMS budget, no address),
   * so that counts of messages are complete. `reason` is a code, never the message.
   */
  withheld?(channel: Channel, reason: string): void;
}
