import type { Knex } from 'knex';
import { rowFromJson } from '../../infrastructure/storage/json-rows.js';
import { isUuid } from '../../infrastructure/storage/uuid.js';
import { normalizeUsername } from '../users/user.js';
import { DEFAULT_CLAIM_MAPPING, type SsoConnection } from './sso-connection.js';

type ConnectionRow = Omit<SsoConnection, 'claim_mapping'> & { claim_mapping: Partial<SsoConnection['claim_mapping']> | null };

function toConnection(row: ConnectionRow | undefined): SsoConnection | undefined {
  if (!row) return undefined;
  return { ...row, allowed_domains: row.allowed_domains ?? [], claim_mapping: { ...DEFAULT_CLAIM_MAPPING, ...(row.claim_mapping ?? {}) } };
}

/** The timestamp columns of `sso_connections` (a test compares them with the table). */
export const CONNECTION_TIMESTAMP_COLUMNS = ['created_at', 'updated_at'] as const;

/** A connection that a statement of another table brought along as `to_jsonb(sso_connections)`. */
export function connectionFromJson(json: Record<string, unknown> | null | undefined): SsoConnection | undefined {
  return toConnection(rowFromJson<ConnectionRow>(json, CONNECTION_TIMESTAMP_COLUMNS));
}

export type ConnectionWrite = Omit<SsoConnection, 'created_at' | 'updated_at'>;

/** The only reader and writer of `sso_connections` and `sso_domains`. */
export class SsoConnectionRepository {
  constructor(private readonly knex: Knex) {}

  async ofTenant(tenantId: string, db: Knex = this.knex): Promise<SsoConnection | undefined> {
    if (!isUuid(tenantId)) return undefined;
    return toConnection(await db<ConnectionRow>('sso_connections').where({ tenant_id: tenantId }).first());
  }

  /** The enabled connection of the tenant of the user with this username (one statement). */
  async enabledForUsername(username: string): Promise<SsoConnection | undefined> {
    const row = await this.knex<ConnectionRow>('sso_connections as c')
      .join('users as u', 'u.tenant_id', 'c.tenant_id')
      .where({ 'u.username_normalized': normalizeUsername(username), 'c.enabled': true })
      .first('c.*');
    return toConnection(row);
  }

  /** The enabled connection that claims this email domain. */
  async enabledForDomain(domain: string): Promise<SsoConnection | undefined> {
    const row = await this.knex<ConnectionRow>('sso_connections as c')
      .join('sso_domains as d', 'd.tenant_id', 'c.tenant_id')
      .where({ 'd.domain': domain.toLowerCase(), 'c.enabled': true })
      .first('c.*');
    return toConnection(row);
  }

  async anyEnabled(): Promise<boolean> {
    return Boolean(await this.knex('sso_connections').where({ enabled: true }).first('tenant_id'));
  }

  /** The tenant that claims any of these domains already, other than `tenantId`. */
  async domainOwners(domains: string[], tenantId: string, db: Knex = this.knex): Promise<{ domain: string; tenant_id: string }[]> {
    if (domains.length === 0) return [];
    return db('sso_domains').whereIn('domain', domains).whereNot({ tenant_id: tenantId }).select('domain', 'tenant_id');
  }

  /** Writes the connection and its domains (a domain another tenant took meanwhile fails its primary key). */
  async save(connection: ConnectionWrite, db: Knex.Transaction): Promise<SsoConnection> {
    const row = { ...connection, allowed_domains: JSON.stringify(connection.allowed_domains), claim_mapping: JSON.stringify(connection.claim_mapping) };
    const [saved] = await db('sso_connections')
      .insert(row)
      .onConflict('tenant_id')
      .merge({ ...row, updated_at: db.fn.now() })
      .returning('*');
    await db('sso_domains').where({ tenant_id: connection.tenant_id }).delete();
    if (connection.allowed_domains.length) {
      await db('sso_domains').insert(connection.allowed_domains.map((domain) => ({ domain, tenant_id: connection.tenant_id })));
    }
    return toConnection(saved as ConnectionRow)!;
  }

  async delete(tenantId: string, db: Knex = this.knex): Promise<boolean> {
    return (await db('sso_connections').where({ tenant_id: tenantId }).delete()) > 0;
  }
}
