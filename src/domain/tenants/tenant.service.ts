import type { Knex } from 'knex';
import type { Actor } from '../events/event-types.js';
import type { EventLog } from '../events/event-log.js';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import type { TenantRepository } from './tenant.repository.js';
import type { TenantRecord } from './tenant.js';
import { mergeSettings, tenantSettingsSchema, type TenantSettings, type TenantSettingsPatch } from './tenant-settings.js';

export interface TenantView {
  id: string;
  slug: string;
  name: string;
  settings: TenantSettings;
  created_at: string;
}

export function tenantView(tenant: TenantRecord): TenantView {
  return { id: tenant.id, slug: tenant.slug, name: tenant.name, settings: tenant.settings, created_at: tenant.created_at.toISOString() };
}

/** Customer accounts and their settings. */
export class TenantService {
  constructor(
    private readonly tenants: TenantRepository,
    private readonly events: EventLog,
    private readonly knex: Knex,
  ) {}

  async create(input: { slug: string; name: string; settings?: TenantSettingsPatch }, actor: Actor): Promise<TenantRecord> {
    const settings = mergeSettings({}, input.settings ?? {});
    assertValidSettings(settings);
    const tenant = await this.knex.transaction(async (trx) => {
      const inserted = await this.tenants.insert({ slug: input.slug, name: input.name, settings }, trx);
      if (inserted) await this.events.writeIn(trx, { type: 'admin.tenant_created', tenant_id: inserted.id, actor, details: { slug: inserted.slug } });
      return inserted;
    });
    if (!tenant) throw new GatehouseError('conflict', `A tenant with the slug "${input.slug}" already exists.`);
    return tenant;
  }

  async update(tenant: TenantRecord, patch: { name?: string; settings?: TenantSettingsPatch }, actor: Actor): Promise<TenantRecord> {
    const settings = patch.settings ? mergeSettings(tenant.settingsAsWritten, patch.settings) : undefined;
    if (settings) assertValidSettings(settings);
    return this.knex.transaction(async (trx) => {
      const updated = await this.tenants.update(tenant.id, { name: patch.name, settings }, trx);
      await this.events.writeIn(trx, { type: 'admin.tenant_updated', tenant_id: tenant.id, actor, details: { changed: Object.keys(patch), settings: patch.settings ?? null } });
      return updated;
    });
  }
}

function assertValidSettings(settings: Record<string, unknown>): void {
  const result = tenantSettingsSchema.safeParse(settings);
  if (!result.success) {
    const errors = result.error.issues.map((i) => ({ field: `settings.${i.path.join('.')}`, message: i.message }));
    throw new GatehouseError('invalid_request', `Invalid settings: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
  }
}
