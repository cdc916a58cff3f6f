import type { Knex } from 'knex';
import { keysetPage, type Position } from '../../infrastructure/storage/keyset.js';
import { rowFromJson } from '../../infrastructure/storage/json-rows.js';
import { runPrepared, type PreparedStatement } from '../../infrastructure/storage/prepared-statements.js';
import { isUuid } from '../../infrastructure/storage/uuid.js';
import type { TenantRecord } from './tenant.js';
import { effectiveSettings } from './tenant-settings.js';

interface TenantRow extends Omit<TenantRecord, 'settings' | 'settingsAsWritten'> {
  settings: Record<string, unknown> | null;
}

/** The only place stored settings are parsed: everything after reads a typed object. */
function toTenant(row: TenantRow | undefined): TenantRecord | undefined {
  if (!row) return undefined;
  const written = row.settings ?? {};
  return { ...row, settings: effectiveSettings(written), settingsAsWritten: written };
}

/** The timestamp columns of `tenants` (a test compares them with the table). */
export const TENANT_TIMESTAMP_COLUMNS = ['created_at', 'updated_at'] as const;

/** A tenant that a statement of another table brought along as `to_jsonb(tenants)`. */
export function tenantFromJson(json: Record<string, unknown> | null | undefined): TenantRecord | undefined {
  return toTenant(rowFromJson<TenantRow>(json, TENANT_TIMESTAMP_COLUMNS));
}

/** Read on most requests that know their person: prepared once per connection (see UserRepository). */
const BY_ID: PreparedStatement = { name: 'gh_tenant_by_id', sql: 'SELECT to_jsonb(t) AS tenant_row FROM tenants t WHERE t.id = ?' };

export class TenantRepository {
  constructor(private readonly knex: Knex) {}

  async findById(id: string): Promise<TenantRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const { rows } = await runPrepared<{ tenant_row: Record<string, unknown> }>(this.knex, BY_ID, [id]);
    return tenantFromJson(rows[0]?.tenant_row);
  }

  async findBySlug(slug: string): Promise<TenantRecord | undefined> {
    return toTenant(await this.knex<TenantRow>('tenants').where({ slug }).first());
  }

  /** The admin API's `{t}` path segment: an id or a slug. */
  async findByIdOrSlug(idOrSlug: string): Promise<TenantRecord | undefined> {
    return isUuid(idOrSlug) ? this.findById(idOrSlug) : this.findBySlug(idOrSlug);
  }

  /** Returns the tenant with this slug, creating it first if needed. */
  async ensure(slug: string, name: string): Promise<TenantRecord> {
    await this.knex('tenants').insert({ slug, name }).onConflict('slug').ignore();
    return (await this.findBySlug(slug))!;
  }

  /** Inserts a tenant; undefined when the slug is taken. */
  async insert(tenant: { slug: string; name: string; settings: Record<string, unknown> }, db: Knex = this.knex): Promise<TenantRecord | undefined> {
    const [row] = await db<TenantRow>('tenants')
      .insert({ slug: tenant.slug, name: tenant.name, settings: JSON.stringify(tenant.settings) as never })
      .onConflict('slug')
      .ignore()
      .returning('*');
    return toTenant(row as TenantRow | undefined);
  }

  async update(id: string, changes: { name?: string; settings?: Record<string, unknown> }, db: Knex = this.knex): Promise<TenantRecord> {
    const [row] = await db<TenantRow>('tenants')
      .where({ id })
      .update({ ...(changes.name ? { name: changes.name } : {}), ...(changes.settings ? { settings: JSON.stringify(changes.settings) as never } : {}), updated_at: db.fn.now() as never })
      .returning('*');
    return toTenant(row as TenantRow)!;
  }

  /** One page in creation order, optionally only the given tenant. */
  async list(options: { limit: number; after?: Position; onlyId?: string }): Promise<TenantRecord[]> {
    const query = keysetPage(this.knex<TenantRow>('tenants'), { idColumn: 'id', limit: options.limit, after: options.after });
    if (options.onlyId) query.where({ id: options.onlyId });
    return (await query).map((row) => toTenant(row as TenantRow)!);
  }

  /** The tenants of these ids that exist, in no particular order. */
  async findByIds(ids: string[]): Promise<TenantRecord[]> {
    if (ids.length === 0) return [];
    return (await this.knex<TenantRow>('tenants').whereIn('id', ids)).map((row) => toTenant(row as TenantRow)!);
  }
}
