import type { Knex } from 'knex';
import { keysetPage, type Position } from '../../infrastructure/storage/keyset.js';
import { isUuid } from '../../infrastructure/storage/uuid.js';
import { normalizeUsername, type NewUser, type UserRecord } from './user.js';

export class UserRepository {
  constructor(private readonly knex: Knex) {}

  /** The same repository inside a transaction of the caller. */
  within(trx: Knex.Transaction): UserRepository {
    return new UserRepository(trx);
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    if (!isUuid(id)) return undefined;
    return this.knex<UserRecord>('users').where({ id }).first();
  }

  async findByUsername(username: string): Promise<UserRecord | undefined> {
    return this.knex<UserRecord>('users').where({ username_normalized: normalizeUsername(username) }).first();
  }

  /** Inserts a user unless the username is taken; returns the stored user either way. */
  async ensure(user: NewUser): Promise<UserRecord> {
    await this.knex('users')
      .insert({ ...user, username_normalized: normalizeUsername(user.username), password_changed_at: this.knex.fn.now() })
      .onConflict('username_normalized')
      .ignore();
    return (await this.findByUsername(user.username))!;
  }

  /** Inserts a user; undefined when the username is taken (case-insensitively, across tenants). */
  async insert(user: NewUser): Promise<UserRecord | undefined> {
    const [row] = await this.knex<UserRecord>('users')
      .insert({ ...user, username_normalized: normalizeUsername(user.username), password_changed_at: this.knex.fn.now() as never })
      .onConflict('username_normalized')
      .ignore()
      .returning('*');
    return row;
  }

  async update(id: string, changes: Partial<Omit<UserRecord, 'id' | 'tenant_id' | 'created_at'>>): Promise<UserRecord> {
    const [row] = await this.knex<UserRecord>('users')
      .where({ id })
      .update({ ...changes, updated_at: this.knex.fn.now() as never })
      .returning('*');
    return row!;
  }

  async delete(id: string): Promise<void> {
    await this.knex('users').where({ id }).delete();
  }

  /** A tenant's users matching `q` in name, username, email or phone; keyset-paged. */
  async search(tenantId: string, options: { q?: string; limit: number; after?: Position }): Promise<UserRecord[]> {
    const query = keysetPage(this.knex<UserRecord>('users').where({ tenant_id: tenantId }), { idColumn: 'id', limit: options.limit, after: options.after });
    if (options.q) {
      const like = `%${options.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.andWhere((w) => w.whereILike('name', like).orWhereILike('username', like).orWhereILike('email', like).orWhereILike('phone', like));
    }
    return query;
  }

  /** A tenant's administrators (who receive the tenant's operational alerts). */
  async administrators(tenantId: string): Promise<UserRecord[]> {
    return this.knex<UserRecord>('users').where({ tenant_id: tenantId, role: 'admin', disabled: false });
  }

  async recordLogin(id: string, at: Date): Promise<void> {
    await this.knex('users').where({ id }).update({ previous_login_at: this.knex.ref('last_login_at'), last_login_at: at });
  }
}
