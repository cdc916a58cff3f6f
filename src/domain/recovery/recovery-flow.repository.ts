import type { Knex } from 'knex';
import { isUuid } from '../../infrastructure/storage/uuid.js';

/** sent_email → completed | failed (too many wrong codes) | superseded (a newer flow replaced it). */
export type RecoveryState = 'sent_email' | 'completed' | 'failed' | 'superseded';

/** A "forgot password" flow; its code lives in the one-time-code store under the flow's id. */
export interface RecoveryFlow {
  id: string;
  user_id: string | null;
  interaction_uid: string | null;
  state: RecoveryState;
  requested_by: 'user' | 'admin';
  /** Digest of the username asked for: its hourly limit counts whether or not the account exists. */
  username_digest: string | null;
  created_at: Date;
  expires_at: Date;
  completed_at: Date | null;
}

export type NewRecoveryFlow = Pick<RecoveryFlow, 'user_id' | 'interaction_uid' | 'requested_by' | 'expires_at' | 'username_digest'> & { id?: string };

export class RecoveryFlowRepository {
  constructor(private readonly knex: Knex) {}

  /**
   * Opens a flow and, in the same transaction, supersedes the other open flows of the account and
   * of the name typed: one open flow per account, so an older email's code stops working the
   * moment a newer one is asked for. Flows of the same name typed close too, whether or not an
   * account has it: otherwise an older flow's page, still open only for a name nobody has, would
   * tell a stranger which names exist. `alongside` runs in that transaction too (the code slot
   * is opened there).
   */
  async open(flow: NewRecoveryFlow, alongside: (trx: Knex.Transaction, flow: RecoveryFlow, superseded: string[]) => Promise<void>): Promise<RecoveryFlow> {
    return this.knex.transaction(async (trx) => {
      const superseded = await this.supersedeOpenOf(trx, flow);
      const [row] = await trx<RecoveryFlow>('recovery_flows').insert(flow).returning('*');
      await alongside(trx, row!, superseded);
      return row!;
    });
  }

  async findById(id: string): Promise<RecoveryFlow | undefined> {
    if (!isUuid(id)) return undefined;
    return this.knex<RecoveryFlow>('recovery_flows').where({ id }).first();
  }

  async markFailed(id: string): Promise<void> {
    await this.knex('recovery_flows').where({ id, state: 'sent_email' }).update({ state: 'failed' });
  }

  /**
   * Completes the flow unless it already is (of two parallel submissions one wins) and closes
   * every other open flow of the user; `alongside` runs in the same transaction.
   */
  async complete(flow: RecoveryFlow, alongside: (trx: Knex.Transaction, superseded: string[]) => Promise<boolean>): Promise<boolean> {
    try {
      return await this.knex.transaction(async (trx) => {
        const updated = await trx('recovery_flows').where({ id: flow.id, state: 'sent_email' }).update({ state: 'completed', completed_at: trx.fn.now() });
        if (updated !== 1) return false;
        const superseded = flow.user_id ? await this.supersedeOpen(trx, flow.user_id) : [];
        if (!(await alongside(trx, superseded))) throw new LostRace();
        return true;
      });
    } catch (err) {
      if (err instanceof LostRace) return false;
      throw err;
    }
  }

  /** Closes every open flow of the account or of the name typed within `trx`; returns their ids. */
  private supersedeOpenOf(trx: Knex.Transaction, flow: NewRecoveryFlow): Promise<string[]> {
    if (!flow.username_digest && !flow.user_id) return Promise.resolve([]);
    return this.supersede(trx, (q) => {
      if (flow.username_digest) void q.orWhere({ username_digest: flow.username_digest });
      if (flow.user_id) void q.orWhere({ user_id: flow.user_id });
    });
  }

  /** Closes every open flow of the user within `trx`; returns their ids. */
  supersedeOpen(trx: Knex.Transaction, userId: string): Promise<string[]> {
    return this.supersede(trx, (q) => void q.where({ user_id: userId }));
  }

  private async supersede(trx: Knex.Transaction, matching: (q: Knex.QueryBuilder) => void): Promise<string[]> {
    const rows = await trx('recovery_flows').where({ state: 'sent_email' }).andWhere(matching).update({ state: 'superseded' }).returning('id');
    return rows.map((r: { id: string }) => r.id);
  }
}

/** Another request completed the flow first: undo ours. */
class LostRace extends Error {}
