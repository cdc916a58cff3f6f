import type { Knex } from 'knex';
import type { Position } from '../../infrastructure/storage/keyset.js';
import type { MessageDraft, MessageRecord, MessageStatus, SuppressionReason } from './message.js';

export interface EmailBounce {
  address: string;
  kind: 'bounce' | 'complaint';
  reason: string | null;
  at: Date;
  message_id: string | null;
}

/** The `messages` table and the bounced addresses. */
export class MessageRepository {
  constructor(private readonly knex: Knex) {}

  /** Writes a queued message through `writer` (a transaction writes it with the change that causes it). */
  async insertQueued(draft: MessageDraft, now: Date, writer: Knex | Knex.Transaction = this.knex): Promise<MessageRecord> {
    const [row] = await writer<MessageRecord>('messages')
      .insert({
        ...columnsOf(draft),
        status: 'queued',
        payload: JSON.stringify(draft.payload) as never,
        code_owner_id: draft.code?.ownerId ?? null,
        code_hash: draft.code?.hash ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning('*');
    return row!;
  }

  async insertSuppressed(draft: Omit<MessageDraft, 'payload' | 'code'>, reason: SuppressionReason, now: Date, writer: Knex | Knex.Transaction = this.knex): Promise<MessageRecord> {
    const [row] = await writer<MessageRecord>('messages')
      .insert({ ...columnsOf(draft), status: 'suppressed', reason, created_at: now, updated_at: now, final_at: now })
      .returning('*');
    return row!;
  }

  async find(id: string): Promise<MessageRecord | undefined> {
    return this.knex<MessageRecord>('messages').where({ id }).first();
  }

  /** Counts an attempt of a message still queued; undefined when it is final already. */
  async startAttempt(id: string, now: Date): Promise<MessageRecord | undefined> {
    const [row] = await this.knex<MessageRecord>('messages').where({ id, status: 'queued' }).update({ last_attempt_at: now, updated_at: now }).increment('attempts', 1).returning('*');
    return row;
  }

  /** The final status of a queued message; its payload is forgotten. */
  async finish(id: string, outcome: { status: Exclude<MessageStatus, 'queued' | 'bounced'>; reason?: string | null; providerMessageId?: string }, now: Date): Promise<void> {
    await this.knex('messages')
      .where({ id, status: 'queued' })
      .update({
        status: outcome.status,
        reason: outcome.reason ?? null,
        provider_message_id: outcome.providerMessageId ?? null,
        sent_at: outcome.status === 'sent' ? now : null,
        final_at: now,
        updated_at: now,
        payload: null,
      });
  }

  /** An attempt failed and another follows: the provider's reason is kept meanwhile. */
  async noteRetry(id: string, reason: string, now: Date): Promise<void> {
    await this.knex('messages').where({ id, status: 'queued' }).update({ reason, updated_at: now });
  }

  /** One page of a user's messages, newest first, continued before `before`. */
  async ofUser(userId: string, page: { limit: number; before?: Position }): Promise<MessageRecord[]> {
    const query = this.knex<MessageRecord>('messages')
      .where({ user_id: userId })
      .orderByRaw("date_trunc('milliseconds', created_at) desc, id desc")
      .limit(page.limit + 1);
    if (page.before) query.whereRaw("(date_trunc('milliseconds', created_at), id::text) < (?::timestamptz, ?)", [page.before.at, page.before.id]);
    return query;
  }

  /** A user's messages since `since`, newest first (what the diagnosis reads). */
  async recentOfUser(userId: string, since: Date, limit = 200): Promise<MessageRecord[]> {
    return this.knex<MessageRecord>('messages').where({ user_id: userId }).andWhere('created_at', '>=', since).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
  }

  /** The newest messages of every tenant (the dev outbox). */
  async newest(limit: number): Promise<MessageRecord[]> {
    return this.knex<MessageRecord>('messages').orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
  }

  /** A sent email bounced or drew a complaint: the message says so, and the address is remembered. */
  async recordBounce(bounce: { providerMessageId: string; addresses: string[]; kind: 'bounce' | 'complaint'; reason: string; at: Date }): Promise<MessageRecord | undefined> {
    return this.knex.transaction(async (trx) => {
      const [message] = await trx<MessageRecord>('messages')
        .where({ provider_message_id: bounce.providerMessageId, channel: 'email' })
        .whereIn('status', ['sent', 'bounced'])
        .update({ status: 'bounced', reason: bounce.reason, updated_at: bounce.at, final_at: bounce.at })
        .returning('*');
      for (const address of bounce.addresses) {
        await trx('email_bounces')
          .insert({ address: address.toLowerCase(), kind: bounce.kind, reason: bounce.reason, at: bounce.at, message_id: message?.id ?? null })
          .onConflict('address')
          .merge();
      }
      return message;
    });
  }

  async bounceOf(address: string | null): Promise<EmailBounce | undefined> {
    if (!address) return undefined;
    return this.knex<EmailBounce>('email_bounces').where({ address: address.toLowerCase() }).first();
  }

  /** Messages of ended conversations (housekeeping); returns how many went. */
  async deleteCreatedBefore(cutoff: Date): Promise<number> {
    return Number(await this.knex('messages').where('created_at', '<', cutoff).delete());
  }
}

function columnsOf(draft: Omit<MessageDraft, 'payload' | 'code'>) {
  return { tenant_id: draft.tenant_id, user_id: draft.user_id, channel: draft.channel, purpose: draft.purpose, destination: draft.destination, destination_masked: draft.destination_masked };
}
