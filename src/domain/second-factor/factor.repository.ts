import type { Knex } from 'knex';
import { isUuid } from '../../infrastructure/storage/uuid.js';

/** An authenticator app or a passkey bound to a user (SMS uses the profile's phone instead). */
export interface UserFactor {
  id: string;
  user_id: string;
  kind: 'totp' | 'passkey';
  name: string;
  secret_sealed: string | null;
  last_used_step: string | null;
  credential_id: string | null;
  public_key: string | null;
  sign_count: string | null;
  transports: string[] | null;
  backed_up: boolean | null;
  confirmed_at: Date | null;
  created_at: Date;
  last_used_at: Date | null;
}

export class FactorRepository {
  constructor(private readonly knex: Knex) {}

  /** Every factor of a user, confirmed or waiting for its first use, oldest first. */
  async ofUser(userId: string): Promise<UserFactor[]> {
    return this.knex<UserFactor>('user_factors').where({ user_id: userId }).orderBy('created_at');
  }

  async findById(id: string): Promise<UserFactor | undefined> {
    return isUuid(id) ? this.knex<UserFactor>('user_factors').where({ id }).first() : undefined;
  }

  async insert(factor: Pick<UserFactor, 'user_id' | 'kind' | 'name'> & Partial<UserFactor>): Promise<UserFactor> {
    const [row] = await this.knex<UserFactor>('user_factors').insert(factor as never).returning('*');
    return row!;
  }

  async confirm(id: string, at: Date): Promise<void> {
    await this.knex('user_factors').where({ id }).whereNull('confirmed_at').update({ confirmed_at: at });
  }

  /**
   * Accepts an authenticator code's time step once: of two uses of one code (a replay, or two
   * parallel submissions) only the first moves the step forward.
   */
  async acceptStep(id: string, step: number, at: Date): Promise<boolean> {
    const updated = await this.knex('user_factors')
      .where({ id })
      .andWhere((q) => q.whereNull('last_used_step').orWhere('last_used_step', '<', step))
      .update({ last_used_step: step, last_used_at: at });
    return updated === 1;
  }

  async findByCredentialId(credentialId: string): Promise<UserFactor | undefined> {
    return this.knex<UserFactor>('user_factors').where({ kind: 'passkey', credential_id: credentialId }).first();
  }

  /** A passkey was used: its signature counter moves forward (a clone would show an older one). */
  async recordPasskeyUse(id: string, signCount: number, at: Date): Promise<void> {
    await this.knex('user_factors').where({ id }).update({ sign_count: signCount, last_used_at: at });
  }

  async reseal(id: string, sealed: string): Promise<void> {
    await this.knex('user_factors').where({ id }).update({ secret_sealed: sealed });
  }

  async rename(id: string, userId: string, name: string): Promise<boolean> {
    return (await this.knex('user_factors').where({ id, user_id: userId }).update({ name })) === 1;
  }

  async remove(id: string, userId: string): Promise<boolean> {
    return (await this.knex('user_factors').where({ id, user_id: userId }).delete()) === 1;
  }

  /** Enrollments never confirmed are dropped when a new one starts. */
  async removeUnconfirmed(userId: string, kind: UserFactor['kind']): Promise<void> {
    await this.knex('user_factors').where({ user_id: userId, kind }).whereNull('confirmed_at').delete();
  }
}
