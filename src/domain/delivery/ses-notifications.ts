import { maskContacts } from '../users/contact-masking.js';
import type { MessageRecord } from './message.js';
import type { MessageRepository } from './message.repository.js';

/** What SES publishes to SNS about a sent email (only the fields Gatehouse reads). */
interface SesEvent {
  notificationType?: string;
  eventType?: string;
  mail?: { messageId?: string };
  bounce?: { bounceType?: string; bounceSubType?: string; timestamp?: string; bouncedRecipients?: { emailAddress?: string; diagnosticCode?: string }[] };
  complaint?: { complaintFeedbackType?: string; timestamp?: string; complainedRecipients?: { emailAddress?: string }[] };
}

/**
 * SES bounce and complaint notifications: the email's message becomes `bounced` and its address
 * is remembered, so support sees "email address bounced on …". A transient bounce (a full
 * mailbox) is SES's to retry and changes nothing here.
 */
export class SesNotifications {
  constructor(private readonly deps: { messages: MessageRepository; now: () => Date }) {}

  /** `message`: the SNS message's `Message`, SES's JSON. Returns the message it concerned, if any. */
  async record(message: string): Promise<MessageRecord | undefined> {
    let event: SesEvent;
    try {
      event = JSON.parse(message) as SesEvent;
    } catch {
      return undefined;
    }
    const type = event.notificationType ?? event.eventType;
    const providerMessageId = event.mail?.messageId;
    if (!providerMessageId) return undefined;
    if (type === 'Bounce' && event.bounce?.bounceType === 'Permanent') {
      const recipients = event.bounce.bouncedRecipients ?? [];
      const diagnostic = recipients.find((r) => r.diagnosticCode)?.diagnosticCode;
      const reason = maskContacts(`${event.bounce.bounceType}/${event.bounce.bounceSubType ?? 'General'}${diagnostic ? `: ${diagnostic}` : ''}`).slice(0, 500);
      return this.deps.messages.recordBounce({ providerMessageId, addresses: addresses(recipients), kind: 'bounce', reason, at: when(event.bounce.timestamp, this.deps.now()) });
    }
    if (type === 'Complaint' && event.complaint) {
      const reason = `complaint${event.complaint.complaintFeedbackType ? `: ${event.complaint.complaintFeedbackType}` : ''}`;
      return this.deps.messages.recordBounce({ providerMessageId, addresses: addresses(event.complaint.complainedRecipients ?? []), kind: 'complaint', reason, at: when(event.complaint.timestamp, this.deps.now()) });
    }
    return undefined;
  }
}

function addresses(recipients: { emailAddress?: string }[]): string[] {
  return recipients.map((r) => r.emailAddress).filter((a): a is string => typeof a === 'string' && a.includes('@')).map((a) => a.replace(/^.*<([^>]+)>.*$/, '$1'));
}

function when(timestamp: string | undefined, fallback: Date): Date {
  const at = timestamp ? new Date(timestamp) : fallback;
  return Number.isNaN(at.getTime()) ? fallback : at;
}
