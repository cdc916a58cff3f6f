import type { Knex } from 'knex';

export interface PreviousPassword {
  password_hash: string;
  replaced_at: Date;
}

/** How many previous passwords are kept per user: enough to recognise the ones people retry. */
export const PASSWORD_HISTORY_DEPTH = 5;

/** Users' previous password hashes (see migrations/…_password_history). */
export class PasswordHistoryRepository {
  constructor(private readonly knex: Knex) {}

  /** The same repository inside a transaction of the caller. */
  within(trx: Knex.Transaction): PasswordHistoryRepository {
    return new PasswordHistoryRepository(trx);
  }

  /** Keeps a hash that stops being current now; the oldest beyond the depth are dropped. */
  async remember(userId: string, passwordHash: string, replacedAt: Date, db: Knex = this.knex): Promise<void> {
    await db('password_history').insert({ user_id: userId, password_hash: passwordHash, replaced_at: replacedAt });
    await db('password_history')
      .where({ user_id: userId })
      .whereNotIn('id', db('password_history').select('id').where({ user_id: userId }).orderBy('replaced_at', 'desc').orderBy('id', 'desc').limit(PASSWORD_HISTORY_DEPTH))
      .delete();
  }

  /** Newest first. */
  async recent(userId: string): Promise<PreviousPassword[]> {
    return this.knex('password_history').select<PreviousPassword[]>('password_hash', 'replaced_at').where({ user_id: userId }).orderBy('replaced_at', 'desc').orderBy('id', 'desc').limit(PASSWORD_HISTORY_DEPTH);
  }
}
