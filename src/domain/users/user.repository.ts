import type { Knex } from 'knex';
import { keysetPage, type Position } from '../../infrastructure/storage/keyset.js';
import { runPrepared, runPreparedQuery, type PreparedStatement } from '../../infrastructure/storage/prepared-statements.js';
import { rowFromJson } from '../../infrastructure/storage/json-rows.js';
import { isUuid } from '../../infrastructure/storage/uuid.js';
import { normalizeUsername, usernameSkeleton, type NewUser, type UserRecord } from './user.js';

/** The timestamp columns of `users` (a test compares them with the table). */
export const USER_TIMESTAMP_COLUMNS = ['password_changed_at', 'password_expires_at', 'tokens_valid_after', 'created_at', 'updated_at', 'last_login_at', 'previous_login_at'] as const;

/** A user that a statement brought as `to_jsonb(users)`. */
export function userFromJson(json: Record<string, unknown> | null | undefined): UserRecord | undefined {
  return rowFromJson<UserRecord>(json, USER_TIMESTAMP_COLUMNS);
}

/*
 * The two look-ups of every request that knows its person (the account of a code exchange, a
 * refresh, a page), prepared once per connection instead of parsed and planned each time. The
 * row comes as one jsonb column, so the statement's result never changes with a migration.
 */
const BY_ID: PreparedStatement = { name: 'gh_user_by_id', sql: 'SELECT to_jsonb(u) AS user_row FROM users u WHERE u.id = ?' };
// Every sign-in writes it.
const RECORD_LOGIN: PreparedStatement = { name: 'gh_user_record_login', sql: 'UPDATE users SET previous_login_at = last_login_at, last_login_at = ? WHERE id = ?' };
const BY_USERNAME: PreparedStatement = { name: 'gh_user_by_username', sql: 'SELECT to_jsonb(u) AS user_row FROM users u WHERE u.username_normalized = ? LIMIT 1' };

export class UserRepository {
  constructor(private readonly knex: Knex) {}

  /** The same repository inside a transaction of the caller. */
  within(trx: Knex.Transaction): UserRepository {
    return new UserRepository(trx);
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    if (!isUuid(id)) return undefined;
    return this.one(BY_ID, [id]);
  }

  async findByUsername(username: string): Promise<UserRecord | undefined> {
    return this.one(BY_USERNAME, [normalizeUsername(username)]);
  }

  private async one(statement: PreparedStatement, values: unknown[]): Promise<UserRecord | undefined> {
    const { rows } = await runPrepared<{ user_row: Record<string, unknown> }>(this.knex, statement, values);
    return userFromJson(rows[0]?.user_row);
  }

  /** The tenant's user with this email (case-insensitively), when exactly one has it. */
  async findByEmailInTenant(tenantId: string, email: string): Promise<UserRecord | undefined> {
    const rows = await this.knex<UserRecord>('users').where({ tenant_id: tenantId }).whereRaw('lower(email) = ?', [email.toLowerCase()]).limit(2);
    return rows.length === 1 ? rows[0] : undefined;
  }

  /** Inserts a user unless the username is taken; returns the stored user either way. */
  async ensure(user: NewUser): Promise<UserRecord> {
    await this.knex('users')
      .insert({ ...user, ...usernameKeys(user.username), password_changed_at: this.knex.fn.now() })
      .onConflict()
      .ignore();
    return (await this.findByUsername(user.username))!;
  }

  /**
   * Inserts a user; undefined when the username is taken (case-insensitively, across tenants) or
   * looks like one that is (the same skeleton). Both are unique indexes, so of two parallel
   * inserts of look-alikes one wins.
   */
  async insert(user: NewUser, db: Knex = this.knex): Promise<UserRecord | undefined> {
    const [row] = await db<UserRecord>('users')
      .insert({ ...user, ...usernameKeys(user.username), password_changed_at: db.fn.now() as never })
      .onConflict()
      .ignore()
      .returning('*');
    return row;
  }

  /** The user whose username is, or looks like, this one. */
  async findLookAlike(username: string): Promise<UserRecord | undefined> {
    const keys = usernameKeys(username);
    return this.knex<UserRecord>('users').where({ username_normalized: keys.username_normalized }).orWhere({ username_skeleton: keys.username_skeleton }).first();
  }

  /** `db`: a transaction the change belongs to (an administrator's change and its event). */
  async update(id: string, changes: Partial<Omit<UserRecord, 'id' | 'tenant_id' | 'created_at'>>, db: Knex = this.knex): Promise<UserRecord> {
    const [row] = await db<UserRecord>('users')
      .where({ id })
      .update({ ...changes, updated_at: db.fn.now() as never })
      .returning('*');
    return row!;
  }

  async delete(id: string, db: Knex = this.knex): Promise<void> {
    await db('users').where({ id }).delete();
  }

  /**
   * A tenant's users matching `q` in name, username, email or phone; keyset-paged. In two steps:
   * the page's ids are found on the tenant's search index alone (it carries the matched columns),
   * then only those rows are read. Matched row by row in the table, a search read every one of
   * the tenant's people, each on a page of its own.
   */
  async search(tenantId: string, options: { q?: string; limit: number; after?: Position }): Promise<UserRecord[]> {
    const page = keysetPage(this.knex('users').select('id').where({ tenant_id: tenantId }), { idColumn: 'id', limit: options.limit, after: options.after });
    if (options.q) {
      const like = `%${options.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      page.andWhere((w) => w.whereILike('name', like).orWhereILike('username', like).orWhereILike('email', like).orWhereILike('phone', like));
    }
    // The page's ids from the search index alone, on a plan PostgreSQL keeps; then only those rows.
    const ids = (await runPreparedQuery<{ id: string }>(this.knex, 'gh_user_search', page)).map((row) => row.id);
    if (!ids.length) return [];
    return keysetPage(this.knex<UserRecord>('users').whereIn('id', ids), { idColumn: 'id', limit: options.limit });
  }

  /** A tenant's administrators (who receive the tenant's operational alerts). */
  async administrators(tenantId: string): Promise<UserRecord[]> {
    return this.knex<UserRecord>('users').where({ tenant_id: tenantId, role: 'admin', disabled: false });
  }

  async recordLogin(id: string, at: Date): Promise<void> {
    await runPrepared(this.knex, RECORD_LOGIN, [at, id]);
  }
}

function usernameKeys(username: string) {
  return { username_normalized: normalizeUsername(username), username_skeleton: usernameSkeleton(username) };
}
