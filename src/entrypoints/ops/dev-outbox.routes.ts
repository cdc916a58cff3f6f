import type { MessageRecord } from '../../domain/delivery/message.js';
import type { DevOutbox } from '../../infrastructure/courier/dev-outbox.js';

/**
 * /dev/outbox (never in production): the newest messages with the same statuses support sees
 * (queued, sent, failed, suppressed, bounced, and why), and, when the dev outbox delivered them,
 * what they said, so a newcomer can read a code.
 */
export function devOutboxView(messages: MessageRecord[], courier: DevOutbox | undefined) {
  return messages.map((message) => {
    const delivered = message.provider_message_id ? courier?.find(message.provider_message_id) : undefined;
    return {
      id: message.id,
      channel: message.channel,
      purpose: message.purpose,
      to: message.destination || null,
      status: message.status,
      reason: message.reason,
      attempts: message.attempts,
      created_at: message.created_at.toISOString(),
      sent_at: message.sent_at?.toISOString() ?? null,
      ...(delivered?.channel === 'email' ? { subject: delivered.subject, text: delivered.text, html: delivered.html } : delivered ? { text: delivered.text } : {}),
    };
  });
}
