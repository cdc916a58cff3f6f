import type { Knex } from 'knex';

export interface SecondFactorBypass {
  id: string;
  user_id: string;
  issued_by: unknown;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

/** One-time passes around the second step, issued by an administrator. */
export class BypassRepository {
  constructor(private readonly knex: Knex) {}

  /** A new pass replaces any unused one. */
  async issue(userId: string, issuedBy: unknown, expiresAt: Date): Promise<SecondFactorBypass> {
    return this.knex.transaction(async (trx) => {
      await trx('second_factor_bypasses').where({ user_id: userId }).whereNull('used_at').delete();
      const [row] = await trx<SecondFactorBypass>('second_factor_bypasses').insert({ user_id: userId, issued_by: JSON.stringify(issuedBy) as never, expires_at: expiresAt }).returning('*');
      return row!;
    });
  }

  async active(userId: string, now: Date): Promise<SecondFactorBypass | undefined> {
    return this.knex<SecondFactorBypass>('second_factor_bypasses').where({ user_id: userId }).whereNull('used_at').andWhere('expires_at', '>', now).first();
  }

  /** Uses the pass once: of two parallel uses, one wins. */
  async use(id: string, now: Date): Promise<boolean> {
    return (await this.knex('second_factor_bypasses').where({ id }).whereNull('used_at').andWhere('expires_at', '>', now).update({ used_at: now })) === 1;
  }
}
