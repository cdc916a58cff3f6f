import type { Knex } from 'knex';
import type { Actor } from '../events/event-types.js';
import type { EventLog } from '../events/event-log.js';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import type { TenantRepository } from './tenant.repository.js';
import type { TenantRecord } from './tenant.js';
import { mergeSettings, smsCountryCeiling, tenantSettingsSchema, type TenantSettings, type TenantSettingsPatch } from './tenant-settings.js';

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
    const settings = raiseCeilingsToFit(mergeSettings({}, input.settings ?? {}), input.settings ?? {});
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
    let settings = patch.settings ? mergeSettings(tenant.settingsAsWritten, patch.settings) : undefined;
    if (settings && patch.settings) {
      assertValidSettings(settings);
      if (actor.type === 'operator') settings = raiseCeilingsToFit(settings, patch.settings);
      else assertWithinCeilings(tenant.settings, patch.settings);
    }
    return this.knex.transaction(async (trx) => {
      const updated = await this.tenants.update(tenant.id, { name: patch.name, settings }, trx);
      await this.events.writeIn(trx, { type: 'admin.tenant_updated', tenant_id: tenant.id, actor, details: { changed: Object.keys(patch), settings: patch.settings ?? null } });
      return updated;
    });
  }
}

/**
 * The SMS budget and countries cost the operator money and open SMS pumping: the operator sets
 * each tenant's ceilings, and its administrators choose within them (only lower, only fewer).
 */
function assertWithinCeilings(current: TenantSettings, patch: TenantSettingsPatch): void {
  if (patch.seats !== undefined) throw new GatehouseError('forbidden', 'Only operators set the seat limit (seats.limit).');
  const sms = patch.sms ?? {};
  if (sms.budget_ceiling !== undefined || sms.country_ceiling !== undefined) {
    throw new GatehouseError('forbidden', 'Only operators set the SMS ceilings (sms.budget_ceiling, sms.country_ceiling).');
  }
  const errors: { field: string; message: string }[] = [];
  if (sms.monthly_budget !== undefined && sms.monthly_budget > current.sms.budget_ceiling) {
    errors.push({ field: 'settings.sms.monthly_budget', message: `at most ${current.sms.budget_ceiling}, the ceiling set by your operator` });
  }
  const countries = smsCountryCeiling(current);
  const outside = (sms.allowed_countries ?? []).filter((country) => !countries.includes(country));
  if (outside.length) errors.push({ field: 'settings.sms.allowed_countries', message: `${outside.join(', ')} not among the countries your operator allows: ${countries.join(', ')}` });
  // With no explicit list, SMS go to the tenant's own country: moving it is widening the list.
  if (patch.country !== undefined && patch.country !== current.country && !countries.includes(patch.country)) {
    errors.push({ field: 'settings.country', message: `SMS may not go to ${patch.country}: the countries your operator allows are ${countries.join(', ')}` });
  }
  if (errors.length) throw new GatehouseError('unprocessable', `Beyond your operator's SMS ceilings: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
}

/**
 * An operator giving a tenant a bigger budget or more countries raises the ceilings with them
 * (unless the same change sets the ceilings: then they hold, and the budget in force is the
 * lower of the two).
 */
function raiseCeilingsToFit(settings: Record<string, unknown>, patch: TenantSettingsPatch): Record<string, unknown> {
  const parsed = tenantSettingsSchema.safeParse(settings);
  if (!parsed.success) return settings;
  const { sms } = parsed.data;
  const writtenSms = { ...((settings.sms as Record<string, unknown> | undefined) ?? {}) };
  if (patch.sms?.monthly_budget !== undefined && patch.sms.budget_ceiling === undefined && sms.monthly_budget > sms.budget_ceiling) writtenSms.budget_ceiling = sms.monthly_budget;
  const ceiling = smsCountryCeiling(parsed.data);
  const missing = sms.allowed_countries.filter((country) => !ceiling.includes(country));
  if (patch.sms?.allowed_countries !== undefined && patch.sms.country_ceiling === undefined && missing.length) writtenSms.country_ceiling = [...new Set([...ceiling, ...missing])];
  return Object.keys(writtenSms).length ? { ...settings, sms: writtenSms } : settings;
}

function assertValidSettings(settings: Record<string, unknown>): void {
  const result = tenantSettingsSchema.safeParse(settings);
  if (!result.success) {
    const errors = result.error.issues.map((i) => ({ field: `settings.${i.path.join('.')}`, message: i.message }));
    throw new GatehouseError('invalid_request', `Invalid settings: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
  }
}
