import type { Knex } from 'knex';
import { isUuid } from '../../infrastructure/storage/uuid.js';

export type RecoveryState = 'sent_email' | 'completed' | 'failed';

export interface RecoveryFlow {
  id: string;
  user_id: string | null;
  interaction_uid: string | null;
  state: RecoveryState;
  code_hash: string | null;
  code_expires_at: Date | null;
  failed_attempts: number;
  codes_sent: number;
  last_sent_at: Date | null;
  requested_by: 'user' | 'admin';
  created_at: Date;
  expires_at: Date;
  completed_at: Date | null;
}

export class RecoveryFlowRepository {
  constructor(private readonly knex: Knex) {}

  async insert(flow: Pick<RecoveryFlow, 'user_id' | 'interaction_uid' | 'requested_by' | 'expires_at' | 'last_sent_at' | 'codes_sent'>): Promise<RecoveryFlow> {
    const [row] = await this.knex<RecoveryFlow>('recovery_flows').insert(flow).returning('*');
    return row!;
  }

  async findById(id: string): Promise<RecoveryFlow | undefined> {
    if (!isUuid(id)) return undefined;
    return this.knex<RecoveryFlow>('recovery_flows').where({ id }).first();
  }

  async update(id: string, changes: Partial<RecoveryFlow>): Promise<void> {
    await this.knex('recovery_flows').where({ id }).update(changes);
  }

  /**
   * Counts a wrong code atomically (parallel guesses cannot exceed the cap); returns the count
   * after this one.
   */
  async recordFailedAttempt(id: string): Promise<number> {
    const [row] = await this.knex<RecoveryFlow>('recovery_flows').where({ id }).increment('failed_attempts', 1).returning('failed_attempts');
    return Number((row as unknown as { failed_attempts: number }).failed_attempts);
  }

  /** Marks the flow completed unless it already is: of two parallel submissions one wins. */
  async complete(id: string): Promise<boolean> {
    const updated = await this.knex('recovery_flows').where({ id, state: 'sent_email' }).update({ state: 'completed', completed_at: this.knex.fn.now(), code_hash: null });
    return updated === 1;
  }
}
