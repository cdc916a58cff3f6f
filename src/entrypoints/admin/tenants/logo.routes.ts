import { z } from 'zod';
import type { TenantLogos } from '../../../domain/tenants/tenant-logo.js';
import type { TenantRepository } from '../../../domain/tenants/tenant.repository.js';
import { tenantView } from '../../../domain/tenants/tenant.service.js';
import { eventActor } from '../admin-actor.js';
import type { AdminApi } from '../admin-route.js';
import { changeableTenant } from '../tenant-scope.js';
import { tenantSchema } from './tenant.schemas.js';

export const logoSchema = z
  .object({ image: z.string().max(200_000).openapi({ description: 'The logo as a data URI of a PNG, JPEG or WebP image (at most 100 KB)', example: 'data:image/png;base64,iVBORw0KGgo…' }) })
  .strict()
  .openapi('TenantLogo');

export interface LogoRouteDependencies {
  tenants: TenantRepository;
  tenantLogos: TenantLogos;
}

/** The tenant's logo, shown on its sign-in pages and in its emails. */
export function registerLogoRoutes(api: AdminApi, deps: LogoRouteDependencies): void {
  api.route({
    method: 'put',
    path: '/tenants/{t}/logo',
    summary: "Upload the tenant's logo (pages and emails show it at once)",
    body: logoSchema,
    success: { status: 200, schema: tenantSchema, description: 'The tenant, its `settings.branding.logo_version` new' },
    errors: [403, 404],
    handler: async ({ actor, params, body }) => {
      const tenant = await changeableTenant(deps.tenants, actor, params.t!);
      return tenantView(await deps.tenantLogos.upload(tenant, body.image, eventActor(actor)));
    },
  });

  api.route({
    method: 'delete',
    path: '/tenants/{t}/logo',
    summary: "Remove the tenant's logo",
    success: { status: 204, description: 'Removed' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const tenant = await changeableTenant(deps.tenants, actor, params.t!);
      await deps.tenantLogos.remove(tenant, eventActor(actor));
    },
  });
}
