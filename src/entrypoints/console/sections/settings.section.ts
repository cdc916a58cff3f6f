import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { brandOf } from '../../../domain/tenants/branding.js';
import type { TenantRecord } from '../../../domain/tenants/tenant.js';
import { GatehouseError } from '../../../infrastructure/http/gatehouse-error.js';
import { readMultipartForm } from '../../../infrastructure/http/multipart-form.js';
import { assertMayChangeTenant } from '../../admin/access-policy.js';
import { eventActor } from '../../admin/admin-actor.js';
import { validate } from '../../admin/request-validation.js';
import { logoSchema } from '../../admin/tenants/logo.routes.js';
import { updateTenantSchema } from '../../admin/tenants/tenant.schemas.js';
import { changeableTenant } from '../../admin/tenant-scope.js';
import { asPage, type ConsoleRequest, consoleForm, fieldErrors, formField, openConsole, renderConsole, seeOther } from '../console-request.js';
import type { ConsoleDependencies, ConsoleSection } from '../console-section.js';

const SETTINGS_PATH = '/console/settings';

/** A settings field of the form, named by its path in `PATCH …/tenants/{t}` (so a refusal names it too). */
interface SettingField {
  name: string;
  kind: 'number' | 'choice' | 'text' | 'url' | 'colour';
  options?: readonly string[];
}

/** The form's fields, grouped as the page shows them. */
export const SETTING_GROUPS: readonly { id: string; fields: readonly SettingField[] }[] = [
  {
    id: 'second_factor',
    fields: [
      { name: 'settings.mfa.mode', kind: 'choice', options: ['off', 'optional', 'required'] },
      { name: 'settings.mfa.reverify_days', kind: 'number' },
      { name: 'settings.sms.monthly_budget', kind: 'number' },
    ],
  },
  {
    id: 'lockout',
    fields: [
      { name: 'settings.lockout.max_failures', kind: 'number' },
      { name: 'settings.lockout.base_lock_seconds', kind: 'number' },
      { name: 'settings.lockout.max_lock_seconds', kind: 'number' },
    ],
  },
  {
    id: 'password',
    fields: [
      { name: 'settings.password.min_length', kind: 'number' },
      { name: 'settings.password.temporary_ttl_days', kind: 'number' },
    ],
  },
  {
    id: 'branding',
    fields: [
      { name: 'settings.branding.display_name', kind: 'text' },
      { name: 'settings.branding.primary_color', kind: 'colour' },
      { name: 'settings.branding.support_contact', kind: 'text' },
      { name: 'settings.branding.support_url', kind: 'url' },
    ],
  },
];

const FIELDS = SETTING_GROUPS.flatMap((group) => group.fields);

/** The form field and element id of a setting: `settings.mfa.mode` → `mfa-mode` (no dots: form parsers read those as nesting). */
export const fieldId = (name: string) => name.replace(/^settings\./, '').replace(/\./g, '-');

/** The value at a dotted path of the tenant (`settings.mfa.mode`). */
function currentValue(tenant: TenantRecord, name: string): unknown {
  return name.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | null | undefined)?.[key], tenant);
}

/**
 * A form's text as the admin API's JSON would carry it: whole numbers become numbers, an empty
 * text field null (no value). Anything else stays text, so the same schema refuses it the same
 * way ("expected number").
 */
function asJson(field: SettingField, raw: string): unknown {
  if (field.kind === 'number') return /^-?\d{1,12}$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (field.kind === 'choice') return raw;
  return raw.trim() === '' ? null : raw.trim();
}

/** Only what changed, as a PATCH: a setting left as it was is not written (its default keeps following ours). */
function patchOf(tenant: TenantRecord, values: Record<string, string>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const field of FIELDS) {
    if (values[field.name] === undefined) continue;
    const value = asJson(field, values[field.name]);
    const current = currentValue(tenant, field.name);
    if (value === current || (typeof current === 'string' && typeof value === 'string' && value.toLowerCase() === current.toLowerCase())) continue;
    const path = field.name.split('.');
    let node = patch;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path.at(-1)!] = value;
  }
  return patch;
}

/**
 * Tenant settings: second-factor policy, the SMS budget with this month's use, lockout, password
 * policy, branding (name, colour with its contrast check, support contact and link, logo). The
 * form is turned into the very `PATCH …/tenants/{t}` (or `PUT …/logo`) body the admin API takes
 * and goes through its schema and TenantService, so the same input is refused the same way;
 * each refusal is shown next to its field. Administrators and operators only (as the API).
 */
export const settingsSection: ConsoleSection = {
  id: 'settings',
  path: SETTINGS_PATH,
  label: 'console.nav.settings',
  shownTo: (actor) => {
    try {
      assertMayChangeTenant(actor);
      return true;
    } catch {
      return false;
    }
  },
  register(router: Router, deps: ConsoleDependencies) {
    const show = async (ctx: Context, request: ConsoleRequest, tenant: TenantRecord, extra: { values?: Record<string, string>; errors?: Record<string, string>; error?: string; errorField?: string; logoError?: string } = {}, status = 200) => {
      const usage = await deps.smsBudget.usage(tenant, (deps.now ?? (() => new Date()))());
      const values = { ...Object.fromEntries(FIELDS.map((f) => [f.name, String(currentValue(tenant, f.name) ?? '')])), ...extra.values };
      const brand = brandOf(tenant);
      renderConsole(ctx, 'console-settings', request, 'settings', {
        tenant,
        groups: SETTING_GROUPS.map((group) => ({ id: group.id, fields: group.fields.map((f) => ({ ...f, id: fieldId(f.name), key: f.name.split('.').slice(1).join('_'), value: values[f.name] ?? '', error: extra.errors?.[f.name] })) })),
        usage: { month: usage.month, sent: usage.sent, budget: usage.budget, remaining: usage.remaining },
        ceiling: tenant.settings.sms.budget_ceiling,
        logoPath: brand.logoPath,
        logoError: extra.logoError,
        error: extra.error,
        errorField: extra.errorField ? fieldId(extra.errorField) : undefined,
      }, status);
    };

    router.get(SETTINGS_PATH, async (ctx) => {
      const request = await openConsole(ctx, deps);
      if (!request) return;
      const tenant = await asPage(ctx, request, '/console', () => changeableTenant(deps.tenants, request.actor, request.tenant.id));
      if (tenant) await show(ctx, request, tenant);
    });

    router.post(SETTINGS_PATH, async (ctx) => {
      const request = await consoleForm(ctx, deps);
      if (!request) return;
      const tenant = await asPage(ctx, request, '/console', () => changeableTenant(deps.tenants, request.actor, request.tenant.id));
      if (!tenant) return;
      // A field the form did not send is left alone (as a PATCH leaves what it does not name).
      const sent = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
      const values = Object.fromEntries(FIELDS.filter((f) => Object.hasOwn(sent, fieldId(f.name))).map((f) => [f.name, formField(ctx, fieldId(f.name), 600)]));
      try {
        const body = validate(updateTenantSchema, patchOf(tenant, values));
        if (body.settings && Object.keys(body.settings).length) await deps.tenantService.update(tenant, body, eventActor(request.actor));
      } catch (err) {
        const refused = fieldErrors(err);
        if (refused) return show(ctx, request, tenant, { values, ...refused }, err instanceof GatehouseError ? err.status : 400);
        if (err instanceof GatehouseError && err.status < 500) return asPage(ctx, request, SETTINGS_PATH, () => Promise.reject(err));
        throw err;
      }
      seeOther(ctx, `${SETTINGS_PATH}?done=settings-saved`);
    });

    // The logo, as PUT …/logo: a file input (multipart, so it works without script), checked by the same schema and service.
    router.post(`${SETTINGS_PATH}/logo`, async (ctx) => {
      const form = ctx.is('multipart/form-data') ? await readMultipartForm(ctx.req, ctx.get('content-type'), 400 * 1024) : 'malformed';
      (ctx.request as { body?: unknown }).body = typeof form === 'object' ? form.fields : {};
      const request = await consoleForm(ctx, deps);
      if (!request) return;
      const tenant = await asPage(ctx, request, '/console', () => changeableTenant(deps.tenants, request.actor, request.tenant.id));
      if (!tenant) return;
      const file = typeof form === 'object' ? form.files.image : undefined;
      try {
        if (form === 'too_large') throw new GatehouseError('invalid_request', 'The logo is too large.', { errors: [{ field: 'image', message: 'at most 100 KB' }] });
        const body = validate(logoSchema, { image: file && file.data.length ? `data:${file.contentType};base64,${file.data.toString('base64')}` : '' });
        await deps.tenantLogos.upload(tenant, body.image, eventActor(request.actor));
      } catch (err) {
        const refused = fieldErrors(err);
        if (refused) return show(ctx, request, tenant, { logoError: refused.errors.image ?? refused.error, error: refused.error, errorField: 'logo' }, 400);
        throw err;
      }
      seeOther(ctx, `${SETTINGS_PATH}?done=logo-saved`);
    });

    router.post(`${SETTINGS_PATH}/logo/remove`, async (ctx) => {
      const request = await consoleForm(ctx, deps);
      if (!request) return;
      const done = await asPage(ctx, request, SETTINGS_PATH, async () => {
        const tenant = await changeableTenant(deps.tenants, request.actor, request.tenant.id);
        await deps.tenantLogos.remove(tenant, eventActor(request.actor));
        return true;
      });
      if (done) seeOther(ctx, `${SETTINGS_PATH}?done=logo-removed`);
    });
  },
};
