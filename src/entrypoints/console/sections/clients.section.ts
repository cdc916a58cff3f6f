import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { CLIENT_KINDS, isConfidentialKind, type ClientRecordWithUsage } from '../../../domain/clients/client.repository.js';
import { GatehouseError } from '../../../infrastructure/http/gatehouse-error.js';
import { assertMayManageClients } from '../../admin/access-policy.js';
import { eventActor } from '../../admin/admin-actor.js';
import { clientManagingTenant, manageableClient } from '../../admin/clients/client-scope.js';
import { createClientSchema, rotateSecretSchema } from '../../admin/clients/client.schemas.js';
import { decodeCursor, pageOf } from '../../admin/pagination.js';
import { validate } from '../../admin/request-validation.js';
import { pageClock, pageHowLongAgo } from '../../pages/rendering/page-text.js';
import { asPage, type ConsoleRequest, consoleForm, destructiveForm, fieldErrors, formField, isFresh, openConsole, queryField, reauthenticationLink, renderConsole } from '../console-request.js';
import type { ConsoleDependencies, ConsoleSection } from '../console-section.js';

const CLIENTS_PATH = '/console/clients';
const PAGE_SIZE = 50;
const clientPath = (id: string) => `${CLIENTS_PATH}/${encodeURIComponent(id)}`;

/** When a secret or client was last used, in words ("yesterday"), or never. */
function lastUse(at: Date | null, now: Date, zone?: string): string | null {
  return at ? pageHowLongAgo(at, now, zone) : null;
}

/** The secrets of a client as its page lists them: never the secrets, only when each was made and last used. */
function secretLines(client: ClientRecordWithUsage, now: Date, zone: string) {
  if (!isConfidentialKind(client.kind)) return undefined;
  const lines: { kind: 'current' | 'previous'; createdAt?: string; expiresAt?: string; lastUsed: string | null }[] = [];
  if (client.secret_hash) lines.push({ kind: 'current', createdAt: client.secret_created_at ? pageClock(client.secret_created_at, now, zone) : undefined, lastUsed: lastUse(client.secret_last_used_at, now, zone) });
  if (client.previous_secret_hash && client.previous_secret_expires_at && client.previous_secret_expires_at > now) {
    lines.push({ kind: 'previous', expiresAt: pageClock(client.previous_secret_expires_at, now, zone), lastUsed: lastUse(client.previous_secret_last_used_at, now, zone) });
  }
  return lines;
}

/** One line per text line, without blanks: how a textarea carries a list (redirect URIs). */
function lines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
}

/**
 * The tenant's clients: the list with when each was last used, registering one (as
 * `POST …/clients`: same schema, same service, so the same refusals, shown at their fields),
 * a client's page with when each secret was last used, and rotating its secret — a
 * destructive action (fresh password), whose new secret is shown on the answer page once and
 * never again (only its digest is kept). Administrators and operators only, as the admin API.
 */
export const clientsSection: ConsoleSection = {
  id: 'clients',
  path: CLIENTS_PATH,
  label: 'console.nav.clients',
  shownTo: (actor) => {
    try {
      assertMayManageClients(actor);
      return true;
    } catch {
      return false;
    }
  },
  register(router: Router, deps: ConsoleDependencies) {
    const now = () => (deps.now ?? (() => new Date()))();

    router.get(CLIENTS_PATH, async (ctx) => {
      const request = await openConsole(ctx, deps);
      if (!request) return;
      const listed = await asPage(ctx, request, '/console', async () => {
        const tenant = await clientManagingTenant(deps, request.actor, request.tenant.id);
        const rows = await deps.clientAdmin.list(tenant, { limit: PAGE_SIZE, after: decodeCursor(queryField(ctx, 'cursor') || undefined) });
        const page = pageOf(rows, PAGE_SIZE, (c) => ({ at: c.created_at.toISOString(), id: c.client_id }));
        const at = now();
        return { clients: page.items.map((c) => ({ id: c.client_id, name: c.name, kind: c.kind, lastUsed: lastUse(c.last_used_at, at, tenant.settings.time_zone) })), next: page.next_cursor };
      });
      if (!listed) return;
      renderConsole(ctx, 'console-clients', request, 'clients', { clients: listed.clients, nextUrl: listed.next ? `${CLIENTS_PATH}?cursor=${encodeURIComponent(listed.next)}` : undefined });
    });

    const showNew = (ctx: Context, request: ConsoleRequest, extra: Record<string, unknown> = {}, status = 200) =>
      renderConsole(ctx, 'console-client-new', request, 'clients', { kinds: CLIENT_KINDS, values: { kind: 'web', name: '', redirect_uris: '', scopes: '' }, focus: 'name', ...extra }, status);

    router.get(`${CLIENTS_PATH}/new`, async (ctx) => {
      const request = await openConsole(ctx, deps);
      if (!request) return;
      if (await asPage(ctx, request, '/console', () => clientManagingTenant(deps, request.actor, request.tenant.id))) showNew(ctx, request);
    });

    // As POST …/clients. A confidential client's secret is on this answer only (no redirect: it is never stored to show again).
    router.post(CLIENTS_PATH, async (ctx) => {
      const request = await consoleForm(ctx, deps);
      if (!request) return;
      const tenant = await asPage(ctx, request, '/console', () => clientManagingTenant(deps, request.actor, request.tenant.id));
      if (!tenant) return;
      const values = { kind: formField(ctx, 'kind', 20), name: formField(ctx, 'name', 300), redirect_uris: formField(ctx, 'redirect_uris', 20_000), scopes: formField(ctx, 'scopes', 500) };
      try {
        const scopes = values.scopes.split(/[\s,]+/).filter(Boolean);
        const body = validate(createClientSchema, { kind: values.kind, name: values.name, redirect_uris: lines(values.redirect_uris), ...(scopes.length ? { scopes } : {}) });
        const { client, secret } = await deps.clientAdmin.create(tenant, body, eventActor(request.actor));
        return renderConsole(ctx, 'console-client-secret', request, 'clients', { client: { id: client.client_id, name: client.name }, secret, created: true });
      } catch (err) {
        const refused = fieldErrors(err);
        // A refusal of one entry (`redirect_uris.1`, `scopes.0`) belongs to its list's field.
        if (refused) return showNew(ctx, request, { values, errors: Object.fromEntries(Object.entries(refused.errors).map(([field, message]) => [field.split('.')[0], message])), error: refused.error, errorField: refused.errorField?.split('.')[0] }, 400);
        if (err instanceof GatehouseError && err.status < 500) return asPage(ctx, request, `${CLIENTS_PATH}/new`, () => Promise.reject(err));
        throw err;
      }
    });

    router.get(`${CLIENTS_PATH}/:id`, async (ctx) => {
      const request = await openConsole(ctx, deps);
      if (!request) return;
      const found = await asPage(ctx, request, CLIENTS_PATH, () => manageableClient(deps, request.actor, request.tenant.id, ctx.params.id!));
      if (!found) return;
      const { tenant, client } = found;
      const at = now();
      renderConsole(ctx, 'console-client', request, 'clients', {
        client: { id: client.client_id, name: client.name, kind: client.kind, redirectUris: client.redirect_uris, scopes: client.scopes.split(' ').filter(Boolean), lastUsed: lastUse(client.last_used_at, at, tenant.settings.time_zone) },
        secrets: secretLines(client, at, tenant.settings.time_zone),
        fresh: isFresh(request, deps),
        reauthUrl: reauthenticationLink(clientPath(client.client_id)),
      });
    });

    // As POST …/clients/{id}/secrets: destructive (the old secret stops working after the overlap), so a fresh password first.
    router.post(`${CLIENTS_PATH}/:id/secrets`, async (ctx) => {
      const request = await destructiveForm(ctx, deps, clientPath(ctx.params.id!));
      if (!request) return;
      const rotated = await asPage(ctx, request, clientPath(ctx.params.id!), async () => {
        const { tenant, client } = await manageableClient(deps, request.actor, request.tenant.id, ctx.params.id!);
        const overlap = formField(ctx, 'overlap_days', 4);
        const body = validate(rotateSecretSchema, { overlap_days: /^\d{1,3}$/.test(overlap) ? Number(overlap) : overlap });
        const { secret, previousExpiresAt } = await deps.clientAdmin.rotateSecret(tenant, client, body.overlap_days, eventActor(request.actor));
        return { client, secret, previousExpiresAt, zone: tenant.settings.time_zone };
      });
      if (!rotated) return;
      renderConsole(ctx, 'console-client-secret', request, 'clients', {
        client: { id: rotated.client.client_id, name: rotated.client.name },
        secret: rotated.secret,
        previousExpiresAt: pageClock(rotated.previousExpiresAt, now(), rotated.zone),
      });
    });
  },
};
