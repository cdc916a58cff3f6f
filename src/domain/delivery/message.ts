/** One email or SMS of the outbox, as stored in `messages`. */
export type Channel = 'email' | 'sms';

/**
 * queued → sent (the provider's message id) | failed (the provider's reason) | suppressed (a
 * rule stopped it); sent → bounced (the address bounced or complained).
 */
export const MESSAGE_STATUSES = ['queued', 'sent', 'failed', 'suppressed', 'bounced'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** The rules that stop a message before it goes out. */
export const SUPPRESSION_REASONS = ['budget', 'per_hour_limit', 'per_day_limit', 'no_address', 'country_not_allowed', 'expired', 'superseded'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** What the provider is handed: kept only until the message is final (it may hold a code). */
export type MessagePayload = { subject: string; text: string; html: string } | { text: string };

export interface MessageRecord {
  id: string;
  tenant_id: string | null;
  user_id: string | null;
  channel: Channel;
  /** The template: recovery-code, temporary-password, sms-sign-in-code, … */
  purpose: string;
  destination: string;
  destination_masked: string;
  status: MessageStatus;
  /** Suppressed: the rule; failed or retrying: the provider's reason; bounced: the bounce. */
  reason: string | null;
  provider_message_id: string | null;
  attempts: number;
  code_owner_id: string | null;
  code_hash: string | null;
  payload: MessagePayload | null;
  created_at: Date;
  updated_at: Date;
  last_attempt_at: Date | null;
  sent_at: Date | null;
  final_at: Date | null;
}

/** A message about to be written: who, where, what, and the code it carries, if any. */
export interface MessageDraft {
  tenant_id: string | null;
  user_id: string | null;
  channel: Channel;
  purpose: string;
  destination: string;
  destination_masked: string;
  payload: MessagePayload;
  /** The one-time-code slot and the hash of the code in the payload. */
  code?: { ownerId: string; hash: string };
}

export function isFinal(status: MessageStatus): boolean {
  return status !== 'queued';
}
