import { z } from 'zod';
import { MESSAGE_STATUSES, type MessageRecord } from '../../../domain/delivery/message.js';
import type { EmailBounce } from '../../../domain/delivery/message.repository.js';
import { day, clock } from '../../../infrastructure/formatting/human-time.js';

/** One email or SMS as support sees it: never its content (a code, a password). */
export const messageSchema = z
  .object({
    id: z.string().uuid(),
    channel: z.enum(['email', 'sms']),
    purpose: z.string().openapi({ description: 'recovery-code, temporary-password, password-changed, new-device, account-locked, phone-changed, phone-change-code, sms-budget-alert, sms-sign-in-code, sms-enroll-code' }),
    to: z.string().openapi({ description: 'The address or number, masked', example: 'a•••@example.com' }),
    status: z.enum(MESSAGE_STATUSES).openapi({ description: 'queued (waiting or being retried), sent, failed (the provider refused it for good), suppressed (a rule stopped it), bounced' }),
    reason: z.string().nullable().openapi({
      description:
        'suppressed: budget, per_hour_limit, per_day_limit, no_address, country_not_allowed, expired, superseded; failed, or queued after a failed attempt: the provider\'s reason; bounced: the bounce',
    }),
    attempts: z.number().int(),
    provider_message_id: z.string().nullable().openapi({ description: 'The SES or SNS message id once sent' }),
    created_at: z.string(),
    last_attempt_at: z.string().nullable(),
    sent_at: z.string().nullable(),
    final_at: z.string().nullable().openapi({ description: 'When it was sent, failed, suppressed or bounced' }),
  })
  .openapi('Message');

export const messageListSchema = z.object({ items: z.array(messageSchema), next_cursor: z.string().nullable() }).openapi('MessageList');

export function messageView(message: MessageRecord): z.infer<typeof messageSchema> {
  return {
    id: message.id,
    channel: message.channel,
    purpose: message.purpose,
    to: message.destination_masked,
    status: message.status,
    reason: message.reason,
    attempts: message.attempts,
    provider_message_id: message.provider_message_id,
    created_at: message.created_at.toISOString(),
    last_attempt_at: message.last_attempt_at?.toISOString() ?? null,
    sent_at: message.sent_at?.toISOString() ?? null,
    final_at: message.final_at?.toISOString() ?? null,
  };
}

export const emailBounceSchema = z
  .object({
    kind: z.enum(['bounce', 'complaint']),
    at: z.string(),
    reason: z.string().nullable(),
    message: z.string().openapi({ example: 'email address bounced on 24 Nov 2026 at 10:42 UTC: Permanent/General' }),
  })
  .openapi('EmailBounce');

export function bounceView(bounce: EmailBounce, now = new Date()): z.infer<typeof emailBounceSchema> {
  const what = bounce.kind === 'complaint' ? 'email address complained of spam on' : 'email address bounced on';
  return { kind: bounce.kind, at: bounce.at.toISOString(), reason: bounce.reason, message: `${what} ${day(bounce.at)} at ${clock(bounce.at, now).replace(/^\d{4}-\d{2}-\d{2} /, '')}${bounce.reason ? `: ${bounce.reason}` : ''}` };
}
