import type { Knex } from 'knex';

export interface FederatedIdentity {
  tenant_id: string;
  subject: string;
  user_id: string;
  created_at: Date;
  last_sign_in_at: Date | null;
}

/** The links between upstream people and Gatehouse users: one per user, one per upstream subject. */
export class FederatedIdentityRepository {
  constructor(private readonly knex: Knex) {}

  async find(tenantId: string, subject: string): Promise<FederatedIdentity | undefined> {
    return this.knex<FederatedIdentity>('federated_identities').where({ tenant_id: tenantId, subject }).first();
  }

  async ofUser(userId: string): Promise<FederatedIdentity | undefined> {
    return this.knex<FederatedIdentity>('federated_identities').where({ user_id: userId }).first();
  }

  /** Links; false when the user or the subject is linked already (a parallel first sign-in won). */
  async link(identity: { tenant_id: string; subject: string; user_id: string }, db: Knex = this.knex): Promise<boolean> {
    const rows = await db('federated_identities').insert({ ...identity, last_sign_in_at: db.fn.now() }).onConflict().ignore().returning('user_id');
    return rows.length > 0;
  }

  async touch(tenantId: string, subject: string, at: Date): Promise<void> {
    await this.knex('federated_identities').where({ tenant_id: tenantId, subject }).update({ last_sign_in_at: at });
  }

  /** Users linked in this tenant (their passwords go when SSO becomes required). */
  linkedUsers(tenantId: string, db: Knex = this.knex): Knex.QueryBuilder {
    return db('federated_identities').where({ tenant_id: tenantId }).select('user_id');
  }
}
