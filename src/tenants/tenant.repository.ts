import type { Knex } from 'knex';
import { keysetPage, type Position } from '../storage/keyset.js';
import { isUuid } from '../storage/uuid.js';

export interface TenantRecord {
  id: string;
  slug: string;
  name: string;
  settings: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export class TenantRepository {
  constructor(private readonly knex: Knex) {}

  async findById(id: string): Promise<TenantRecord | undefined> {
    if (!isUuid(id)) return undefined;
    return this.knex<TenantRecord>('tenants').where({ id }).first();
  }

  async findBySlug(slug: string): Promise<TenantRecord | undefined> {
    return this.knex<TenantRecord>('tenants').where({ slug }).first();
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
  async insert(tenant: { slug: string; name: string; settings: Record<string, unknown> }): Promise<TenantRecord | undefined> {
    const [row] = await this.knex<TenantRecord>('tenants')
      .insert({ slug: tenant.slug, name: tenant.name, settings: JSON.stringify(tenant.settings) as never })
      .onConflict('slug')
      .ignore()
      .returning('*');
    return row;
  }

  async update(id: string, changes: { name?: string; settings?: Record<string, unknown> }): Promise<TenantRecord> {
    const [row] = await this.knex<TenantRecord>('tenants')
      .where({ id })
      .update({ ...(changes.name ? { name: changes.name } : {}), ...(changes.settings ? { settings: JSON.stringify(changes.settings) as never } : {}), updated_at: this.knex.fn.now() as never })
      .returning('*');
    return row!;
  }

  /** One page in creation order, optionally only the given tenant. */
  async list(options: { limit: number; after?: Position; onlyId?: string }): Promise<TenantRecord[]> {
    const query = keysetPage(this.knex<TenantRecord>('tenants'), { idColumn: 'id', limit: options.limit, after: options.after });
    if (options.onlyId) query.where({ id: options.onlyId });
    return query;
  }
}
