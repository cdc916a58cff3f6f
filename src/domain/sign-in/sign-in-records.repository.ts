import type { Knex } from 'knex';
import { deviceFromJson, type UserDevice } from '../devices/device.repository.js';
import { connectionFromJson } from '../federation/sso-connection.repository.js';
import type { SsoConnection } from '../federation/sso-connection.js';
import { tenantFromJson } from '../tenants/tenant.repository.js';
import type { TenantRecord } from '../tenants/tenant.js';
import { normalizeUsername, type UserRecord } from '../users/user.js';
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

interface Row extends UserRecord {
  signin_tenant: Record<string, unknown>;
  signin_device: Record<string, unknown> | null;
  signin_sso: Record<string, unknown> | null;
}

/*
 * The user's own columns come as they are (pg parses them by type); the joined rows come as JSON,
 * so no column of one table can shadow another's. Never prepared by name: `u.*` would break a
 * kept plan when a migration adds a column, and the plan of three key look-ups costs nothing.
 */
const SELECT = `
  SELECT u.*, to_jsonb(t) AS signin_tenant, to_jsonb(d) AS signin_device,
         (SELECT to_jsonb(c) FROM sso_connections c WHERE c.tenant_id = u.tenant_id AND c.enabled) AS signin_sso
    FROM users u
    JOIN tenants t ON t.id = u.tenant_id
    LEFT JOIN user_devices d ON d.user_id = u.id AND d.device_hash = ?`;

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
    return this.first(`${SELECT} WHERE u.username_normalized = ? LIMIT 1`, [deviceHash ?? null, normalizeUsername(username)]);
  }

  /** By the account id the provider keeps in its session. */
  async byId(userId: string, deviceHash?: string): Promise<SignInRecords | undefined> {
    if (!isUuid(userId)) return undefined;
    return this.first(`${SELECT} WHERE u.id = ?`, [deviceHash ?? null, userId]);
  }

  private async first(sql: string, bindings: Knex.RawBinding[]): Promise<SignInRecords | undefined> {
    const { rows } = await this.knex.raw<{ rows: Row[] }>(sql, bindings);
    const row = rows[0];
    if (!row) return undefined;
    const { signin_tenant: tenantJson, signin_device: deviceJson, signin_sso: connectionJson, ...user } = row;
    return { user, tenant: tenantFromJson(tenantJson)!, device: deviceFromJson(deviceJson) ?? null, singleSignOn: connectionFromJson(connectionJson) };
  }
}
