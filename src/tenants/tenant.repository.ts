import type { Knex } from 'knex';

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
    return this.knex<TenantRecord>('tenants').where({ id }).first();
  }

  async findBySlug(slug: string): Promise<TenantRecord | undefined> {
    return this.knex<TenantRecord>('tenants').where({ slug }).first();
  }

  /** Returns the tenant with this slug, creating it first if needed. */
  async ensure(slug: string, name: string): Promise<TenantRecord> {
    await this.knex('tenants').insert({ slug, name }).onConflict('slug').ignore();
    return (await this.findBySlug(slug))!;
  }
}
