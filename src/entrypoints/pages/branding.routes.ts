import { Router } from '@koa/router';
import type { TenantLogos } from '../../domain/tenants/tenant-logo.js';
import type { TenantRepository } from '../../domain/tenants/tenant.repository.js';

/**
 * What tenants' branding needs from the web: the logo (pages and emails link it) and a stylesheet
 * with the tenant's colour (a file, so the pages' content security policy stays without inline
 * styles beyond the hashed one). Both are public: they are on the sign-in page anyway. Their
 * URLs carry a version, so they can be cached long.
 */
export function createBrandingRouter(deps: { tenants: TenantRepository; tenantLogos: TenantLogos }): Router {
  const router = new Router();

  router.get('/branding/:tenantId/logo', async (ctx) => {
    const logo = await deps.tenantLogos.find(ctx.params.tenantId!);
    if (!logo) return;
    ctx.type = logo.content_type;
    ctx.set('Cache-Control', 'public, max-age=86400');
    // Embedded by pages and by email clients of any origin.
    ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
    ctx.body = logo.image;
  });

  router.get('/branding/:tenantId/theme.css', async (ctx) => {
    const tenant = await deps.tenants.findById(ctx.params.tenantId!);
    const colour = tenant?.settings.branding.primary_color;
    if (!colour) return;
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = `button{background:${colour}}button.secondary,button.show-password{background:#fff;color:${colour};border-color:${colour}}a{color:${colour}}.brand{border-bottom-color:${colour}}\n`;
  });
  return router;
}
