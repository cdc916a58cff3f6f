import type { Knex } from 'knex';
import { isUuid } from '../../infrastructure/storage/uuid.js';

export type ChallengePurpose = 'sign_in' | 'enroll' | 'email_gate';

export interface SmsChallenge {
  id: string;
  user_id: string;
  interaction_uid: string;
  purpose: ChallengePurpose;
  /** Phone (E.164) or, for the email gate, the email address. */
  destination: string;
  code_hash: string | null;
  code_expires_at: Date | null;
  failed_attempts: number;
  codes_sent: number;
  last_sent_at: Date | null;
  created_at: Date;
  expires_at: Date;
  completed_at: Date | null;
}

/** One-time-code steps bound to a sign-in (interaction) and a user. */
export class SmsChallengeRepository {
  constructor(private readonly knex: Knex) {}

  async insert(challenge: Pick<SmsChallenge, 'user_id' | 'interaction_uid' | 'purpose' | 'destination' | 'expires_at'>): Promise<SmsChallenge> {
    const [row] = await this.knex<SmsChallenge>('sms_challenges').insert(challenge).returning('*');
    return row!;
  }

  async findById(id: string): Promise<SmsChallenge | undefined> {
    return isUuid(id) ? this.knex<SmsChallenge>('sms_challenges').where({ id }).first() : undefined;
  }

  /** The newest open step of this purpose in this sign-in. */
  async findOpen(interactionUid: string, userId: string, purpose: ChallengePurpose, now: Date): Promise<SmsChallenge | undefined> {
    return this.knex<SmsChallenge>('sms_challenges')
      .where({ interaction_uid: interactionUid, user_id: userId, purpose })
      .whereNull('completed_at')
      .andWhere('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .first();
  }

  /** Whether a step of this purpose was completed in this sign-in (the email gate). */
  async completedIn(interactionUid: string, userId: string, purpose: ChallengePurpose): Promise<boolean> {
    return Boolean(await this.knex('sms_challenges').where({ interaction_uid: interactionUid, user_id: userId, purpose }).whereNotNull('completed_at').first());
  }

  async recordCode(id: string, codeHash: string, expiresAt: Date, sentAt: Date): Promise<void> {
    await this.knex('sms_challenges').where({ id }).update({ code_hash: codeHash, code_expires_at: expiresAt, last_sent_at: sentAt }).increment('codes_sent', 1);
  }

  /** Atomic, so parallel guesses cannot exceed the cap; returns the count after this one. */
  async recordFailedAttempt(id: string): Promise<number> {
    const [row] = await this.knex('sms_challenges').where({ id }).increment('failed_attempts', 1).returning('failed_attempts');
    return Number((row as { failed_attempts: number }).failed_attempts);
  }

  /** Of two parallel correct submissions, one completes the step. */
  async complete(id: string, at: Date): Promise<boolean> {
    return (await this.knex('sms_challenges').where({ id }).whereNull('completed_at').update({ completed_at: at, code_hash: null })) === 1;
  }

  async close(id: string, at: Date): Promise<void> {
    await this.knex('sms_challenges').where({ id }).update({ expires_at: at, code_hash: null });
  }
}
