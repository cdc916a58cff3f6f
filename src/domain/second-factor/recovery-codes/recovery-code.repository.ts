import type { Knex } from 'knex';

/** A user's single-use recovery codes, stored as keyed hashes only. */
export class RecoveryCodeRepository {
  constructor(private readonly knex: Knex) {}

  /** A new set replaces the old one entirely, in one transaction. */
  async replace(userId: string, hashes: string[]): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx('recovery_codes').where({ user_id: userId }).delete();
      await trx('recovery_codes').insert(hashes.map((code_hash) => ({ user_id: userId, code_hash })));
    });
  }

  /** Uses the code with one of these hashes, once: of two parallel uses, one wins. */
  async useOne(userId: string, hashes: string[], at: Date): Promise<boolean> {
    const used = await this.knex('recovery_codes').where({ user_id: userId }).whereIn('code_hash', hashes).whereNull('used_at').update({ used_at: at });
    return used >= 1;
  }

  async remaining(userId: string): Promise<number> {
    const [row] = await this.knex('recovery_codes').where({ user_id: userId }).whereNull('used_at').count<{ count: string }[]>('* as count');
    return Number(row?.count ?? 0);
  }

  async removeAll(userId: string): Promise<number> {
    return Number(await this.knex('recovery_codes').where({ user_id: userId }).delete());
  }
}
