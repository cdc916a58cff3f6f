import type { Knex } from 'knex';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import type { EventLog } from '../events/event-log.js';
import type { Actor } from '../events/event-types.js';
import { mergeSettings } from './tenant-settings.js';
import type { TenantRecord } from './tenant.js';
import type { TenantRepository } from './tenant.repository.js';

/** Large enough for a crisp logo, small enough to ride in every page and email cheaply. */
export const MAX_LOGO_BYTES = 100 * 1024;

/** Raster formats only: an SVG can carry script and links, which no tenant's logo needs. */
const SIGNATURES: Record<string, (bytes: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};

export interface TenantLogo {
  content_type: string;
  image: Buffer;
  updated_at: Date;
}

/** A tenant's logo: uploaded as a data URI, checked to be the image it says, served by pages and emails. */
export class TenantLogos {
  constructor(private readonly deps: { knex: Knex; tenants: TenantRepository; events: EventLog }) {}

  async find(tenantId: string): Promise<TenantLogo | undefined> {
    return this.deps.knex<TenantLogo & { tenant_id: string }>('tenant_logos').where({ tenant_id: tenantId }).first('content_type', 'image', 'updated_at');
  }

  async upload(tenant: TenantRecord, dataUri: string, actor: Actor): Promise<TenantRecord> {
    const { contentType, image } = parseLogo(dataUri);
    return this.deps.knex.transaction(async (trx) => {
      await trx('tenant_logos')
        .insert({ tenant_id: tenant.id, content_type: contentType, image, updated_at: trx.fn.now() })
        .onConflict('tenant_id')
        .merge();
      // A new version in the settings: every page and email links the new image, no cache holds the old one.
      const settings = mergeSettings(tenant.settingsAsWritten, { branding: {} });
      (settings.branding as Record<string, unknown>).logo_version = Date.now();
      const updated = await this.deps.tenants.update(tenant.id, { settings }, trx);
      await this.deps.events.writeIn(trx, { type: 'admin.tenant_updated', tenant_id: tenant.id, actor, details: { changed: ['logo'], content_type: contentType, bytes: image.length } });
      return updated;
    });
  }

  async remove(tenant: TenantRecord, actor: Actor): Promise<void> {
    await this.deps.knex.transaction(async (trx) => {
      const removed = await trx('tenant_logos').where({ tenant_id: tenant.id }).delete();
      if (!removed) throw new GatehouseError('not_found', 'This tenant has no logo.');
      const settings = mergeSettings(tenant.settingsAsWritten, { branding: {} });
      (settings.branding as Record<string, unknown>).logo_version = null;
      await this.deps.tenants.update(tenant.id, { settings }, trx);
      await this.deps.events.writeIn(trx, { type: 'admin.tenant_updated', tenant_id: tenant.id, actor, details: { changed: ['logo'], removed: true } });
    });
  }
}

function parseLogo(dataUri: string): { contentType: string; image: Buffer } {
  const match = /^data:(image\/(?:png|jpeg|webp));base64,([A-Za-z0-9+/]+={0,2})$/.exec(dataUri);
  if (!match) throw invalid('must be a data URI of a PNG, JPEG or WebP image: data:image/png;base64,…');
  const contentType = match[1]!;
  const image = Buffer.from(match[2]!, 'base64');
  if (image.length > MAX_LOGO_BYTES) throw invalid(`is ${Math.ceil(image.length / 1024)} KB; at most ${MAX_LOGO_BYTES / 1024} KB`);
  if (!SIGNATURES[contentType]!(image)) throw invalid(`is not a ${contentType.slice(6).toUpperCase()} image`);
  return { contentType, image };
}

function invalid(message: string): GatehouseError {
  return new GatehouseError('invalid_request', `The logo ${message}.`, { errors: [{ field: 'image', message }] });
}
