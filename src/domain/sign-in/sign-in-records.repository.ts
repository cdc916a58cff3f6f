import type { Knex } from 'knex';
import { deviceFromJson, type UserDevice } from '../devices/device.repository.js';
import { connectionFromJson } from '../federation/sso-connection.repository.js';
import type { SsoConnection } from '../federation/sso-connection.js';
import { tenantFromJson } from '../tenants/tenant.repository.js';
import type { TenantRecord } from '../tenants/tenant.js';
import { userFromJson } from '../users/user.repository.js';
import { normalizeUsername, type UserRecord } from '../users/user.js';
import { runPrepared, type PreparedStatement } from '../../infrastructure/storage/prepared-statements.js';
import { isUuid } from '../../infrastructure/storage/uuid.js';

/** What a sign-in decides on about one person, read together. */
export interface SignInRecords {
  user: UserRecord;
  tenant: TenantRecord;
  /** This browser's record for the user; null: the browser has not signed in as them (or has no cookie). */
  device: UserDevice | null;
  /** The user's tenant's single sign-on, when it is on (home-realm discovery). */
  singleSignOn: SsoConnection | undefined;
}

interface Row {
  signin_user: Record<string, unknown>;
  signin_tenant: Record<string, unknown>;
  signin_device: Record<string, unknown> | null;
  signin_sso: Record<string, unknown> | null;
}

/*
 * Every row comes as JSON, so no column of one table can shadow another's and the statement's
 * result is four jsonb columns whatever a migration adds: it can stay prepared on each
 * connection (PostgreSQL planned this join afresh each time, which cost more than the four
 * look-ups it replaces). `?`: the browser's device digest, then the username or the id.
 */
const SELECT = `
  SELECT to_jsonb(u) AS signin_user, to_jsonb(t) AS signin_tenant, to_jsonb(d) AS signin_device,
         (SELECT to_jsonb(c) FROM sso_connections c WHERE c.tenant_id = u.tenant_id AND c.enabled) AS signin_sso
    FROM users u
    JOIN tenants t ON t.id = u.tenant_id
    LEFT JOIN user_devices d ON d.user_id = u.id AND d.device_hash = ?`;
const BY_USERNAME: PreparedStatement = { name: 'gh_sign_in_records_by_username', sql: `${SELECT} WHERE u.username_normalized = ? LIMIT 1` };
const BY_ID: PreparedStatement = { name: 'gh_sign_in_records_by_id', sql: `${SELECT} WHERE u.id = ?` };

/**
 * The rows a sign-in reads about the person, in one statement instead of four: the user (by the
 * typed username, or by id when the provider asks about its account), their tenant, this
 * browser's record for them, and their tenant's single sign-on if it is on. Every page request of
 * a sign-in asks this once; each statement saved is a round trip on the CPU that bcrypt needs.
 */
export class SignInRecordsRepository {
  constructor(private readonly knex: Knex) {}

  /**
   * By the username as typed. An unknown username costs the same one statement (the answer must
   * not tell by its time whether the name exists).
   */
  async byUsername(username: string, deviceHash?: string): Promise<SignInRecords | undefined> {
    return this.first(BY_USERNAME, [deviceHash ?? null, normalizeUsername(username)]);
  }

  /** By the account id the provider keeps in its session. */
  async byId(userId: string, deviceHash?: string): Promise<SignInRecords | undefined> {
    if (!isUuid(userId)) return undefined;
    return this.first(BY_ID, [deviceHash ?? null, userId]);
  }

  private async first(statement: PreparedStatement, values: unknown[]): Promise<SignInRecords | undefined> {
    const row = (await runPrepared<Row>(this.knex, statement, values)).rows[0];
    if (!row) return undefined;
    return {
      user: userFromJson(row.signin_user)!,
      tenant: tenantFromJson(row.signin_tenant)!,
      device: deviceFromJson(row.signin_device) ?? null,
      singleSignOn: connectionFromJson(row.signin_sso),
    };
  }
}
