import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { SignOutReport } from '../../../domain/sessions/sign-out.service.js';
import type { TenantRecord } from '../../../domain/tenants/tenant.js';
import type { UserRecord } from '../../../domain/users/user.js';
import { describeLock } from '../../../domain/lockout/lockout.service.js';
import { GatehouseError } from '../../../infrastructure/http/gatehouse-error.js';
import { deviceName } from '../../../infrastructure/formatting/user-agent.js';
import { devicesOfGrants } from '../../../domain/sessions/grant-devices.js';
import { assertMayGiveRole, assertMayGrantOperator } from '../../admin/access-policy.js';
import { eventActor } from '../../admin/admin-actor.js';
import { validate } from '../../admin/request-validation.js';
import { updateUserSchema, setPasswordSchema } from '../../admin/users/user.schemas.js';
import { visibleUser } from '../../admin/users/user-scope.js';
import { pageClock, pageHowLongAgo, t } from '../../pages/rendering/page-text.js';
import { asPage, type ConsoleRequest, consoleForm, destructiveForm, formField, invalidInput, isFresh, openConsole, reauthenticationLink, renderConsole, seeOther } from '../console-request.js';
import type { ConsoleDependencies, ConsoleSection } from '../console-section.js';
import { userLine } from './users.section.js';

const userPath = (id: string) => `/console/users/${encodeURIComponent(id)}`;

/** The apps a change will sign out (or did): one line per app, with how many devices. */
export function appLines(items: { client_id: string; client_name: string | null; count: number }[]): { name: string; devices: number }[] {
  return items.map((item) => ({ name: item.client_name ?? item.client_id, devices: item.count }));
}

/** What a sign-out cut off, for the page that reports it. */
export function cutOffReport(report: SignOutReport) {
  return {
    apps: appLines(report.grants_revoked.map((g) => ({ client_id: g.client_id, client_name: g.client_name, count: g.refresh_tokens_revoked }))),
    sessionsEnded: report.sessions_ended,
    notices: report.logout_notices.map((n) => ({ name: n.client_name ?? n.client_id, status: n.status, reason: n.reason })),
  };
}

/**
 * The apps a user is signed in to, one entry per app with a line per device (the grant's
 * browser or app and system, from the sign-in that made it) and when each was last used:
 * "Demo mobile app — DemoMobile on iOS, last used yesterday".
 */
export async function signedInApps(deps: ConsoleDependencies, userId: string, now: Date, timeZone?: string) {
  const grants = await deps.sessionView.activeGrants(userId);
  if (!grants.length) return [];
  const oldest = Math.min(...grants.map((g) => Date.parse(g.created_at)));
  const signIns = await deps.eventHistory.ofUser(userId, new Date(oldest - 15 * 60_000), 500);
  const apps = new Map<string, { clientId: string; name: string; devices: { device: ReturnType<typeof deviceName>; lastUsed: string }[] }>();
  for (const grant of devicesOfGrants(grants, signIns)) {
    if (!apps.has(grant.client_id)) apps.set(grant.client_id, { clientId: grant.client_id, name: grant.client_name ?? grant.client_id, devices: [] });
    apps.get(grant.client_id)!.devices.push({ device: deviceName(grant.user_agent), lastUsed: pageHowLongAgo(new Date(grant.last_used_at), now, timeZone) });
  }
  return [...apps.values()];
}

/**
 * One user's page: facts, status with until when it is locked, the apps signed in, and every
 * action on them as a form — edit, disable or enable, delete, sign out everywhere, set a
 * password, Reset (or a temporary password when Reset cannot be sent), unlock. Each goes through
 * the admin API's access policy (`visibleUser`: 404, then 403) and the same service.
 */
export const userSection: ConsoleSection = {
  id: 'user',
  path: '/console/users',
  shownTo: () => true,
  register(router: Router, deps: ConsoleDependencies) {
    /** The user of `:id` in the console's tenant, as the admin API would resolve it (404, then 403). */
    const load = (request: ConsoleRequest, id: string) => visibleUser(deps, request.actor, { t: request.tenant.id, id });

    const showUser = async (ctx: Context, request: ConsoleRequest, target: { tenant: TenantRecord; user: UserRecord }, extra: Record<string, unknown> = {}, status = 200) => {
      const { tenant, user } = target;
      const now = new Date();
      const [line, apps] = await Promise.all([userLine(deps, user, tenant.settings.time_zone), signedInApps(deps, user.id, now, tenant.settings.time_zone)]);
      const maySetOperator = request.actor.kind === 'operator';
      renderConsole(ctx, 'console-user', request, 'users', { line, user, apps, fresh: isFresh(request, deps), reauthUrl: reauthenticationLink(userPath(user.id)), maySetOperator, staff: request.actor.kind === 'user' && request.actor.user.role === 'staff', ...extra }, status);
    };

    router.get('/console/users/:id', async (ctx) => {
      const request = await openConsole(ctx, deps);
      if (!request) return;
      const target = await asPage(ctx, request, '/console/users', () => load(request, ctx.params.id!));
      if (target) await showUser(ctx, request, target);
    });

    // Edit: name, email, phone, role (and, for operators, the operator flag), as PATCH …/users/{id}.
    router.post('/console/users/:id', async (ctx) => {
      const request = await consoleForm(ctx, deps);
      if (!request) return;
      const target = await asPage(ctx, request, '/console/users', () => load(request, ctx.params.id!));
      if (!target) return;
      const changes: Record<string, unknown> = {
        name: formField(ctx, 'name', 300).trim() || null,
        email: formField(ctx, 'email', 300).trim() || undefined,
        phone: formField(ctx, 'phone', 64).trim() || null,
        role: formField(ctx, 'role', 20) || undefined,
      };
      if (request.actor.kind === 'operator') changes.is_operator = formField(ctx, 'is_operator', 10) === 'on';
      try {
        const body = validate(updateUserSchema, changes);
        if (body.role) assertMayGiveRole(request.actor, body.role);
        if (body.is_operator !== undefined && body.is_operator !== target.user.is_operator) assertMayGrantOperator(request.actor);
        else delete body.is_operator;
        if (body.phone === null && target.user.phone === null) delete body.phone;
        if (body.name === null && target.user.name === null) delete body.name;
        await deps.userAdmin.update(target.tenant, target.user, body, eventActor(request.actor));
      } catch (err) {
        const invalid = invalidInput(err);
        if (invalid) return showUser(ctx, request, target, invalid, 400);
        if (err instanceof GatehouseError && err.status < 500) return asPage(ctx, request, userPath(target.user.id), () => Promise.reject(err));
        throw err;
      }
      seeOther(ctx, `${userPath(target.user.id)}?done=user-saved`);
    });

    // Enabling gives access back: a form token is enough. Disabling takes it away: fresh password too.
    router.post('/console/users/:id/enable', async (ctx) => {
      const request = await consoleForm(ctx, deps);
      if (!request) return;
      const done = await asPage(ctx, request, userPath(ctx.params.id!), async () => {
        const { tenant, user } = await load(request, ctx.params.id!);
        await deps.userAdmin.update(tenant, user, { disabled: false }, eventActor(request.actor));
        return true;
      });
      if (done) seeOther(ctx, `${userPath(ctx.params.id!)}?done=user-enabled`);
    });

    router.post('/console/users/:id/disable', async (ctx) => {
      const request = await destructiveForm(ctx, deps, userPath(ctx.params.id!));
      if (!request) return;
      const result = await asPage(ctx, request, userPath(ctx.params.id!), async () => {
        const { tenant, user } = await load(request, ctx.params.id!);
        return deps.userAdmin.update(tenant, user, { disabled: true }, eventActor(request.actor));
      });
      if (!result) return;
      renderConsole(ctx, 'console-cut-off', request, 'users', { title: t('console.user.disabled_title', { username: result.user.username }), user: result.user, report: result.signed_out ? cutOffReport(result.signed_out) : undefined });
    });

    router.post('/console/users/:id/delete', async (ctx) => {
      const request = await destructiveForm(ctx, deps, userPath(ctx.params.id!));
      if (!request) return;
      const done = await asPage(ctx, request, userPath(ctx.params.id!), async () => {
        const { tenant, user } = await load(request, ctx.params.id!);
        await deps.userAdmin.delete(tenant, user, eventActor(request.actor));
        return true;
      });
      if (done) seeOther(ctx, '/console/users?done=user-deleted');
    });

    router.post('/console/users/:id/sign-out', async (ctx) => {
      const request = await destructiveForm(ctx, deps, userPath(ctx.params.id!));
      if (!request) return;
      const result = await asPage(ctx, request, userPath(ctx.params.id!), async () => {
        const { tenant, user } = await load(request, ctx.params.id!);
        return { user, report: await deps.userAdmin.signOutEverywhere(tenant, user, eventActor(request.actor)) };
      });
      if (!result) return;
      renderConsole(ctx, 'console-cut-off', request, 'users', { title: t('console.user.signed_out_title', { username: result.user.username }), user: result.user, report: cutOffReport(result.report) });
    });

    // Sign out of one app (every device of it), as DELETE …/users/{id}/sessions/{client}: destructive, so a fresh password first.
    router.post('/console/users/:id/apps/:client/sign-out', async (ctx) => {
      const request = await destructiveForm(ctx, deps, userPath(ctx.params.id!));
      if (!request) return;
      const done = await asPage(ctx, request, userPath(ctx.params.id!), async () => {
        const { tenant, user } = await load(request, ctx.params.id!);
        return (await deps.userAdmin.signOutOfApp(tenant, user, ctx.params.client!, eventActor(request.actor))) ? 'app-signed-out' : 'app-not-signed-in';
      });
      if (done) seeOther(ctx, `${userPath(ctx.params.id!)}?done=${done}`);
    });

    // Set password: the page says first which apps will be signed out; the answer, which were.
    router.get('/console/users/:id/password', async (ctx) => {
      const request = await openConsole(ctx, deps);
      if (!request) return;
      const target = await asPage(ctx, request, '/console/users', () => load(request, ctx.params.id!));
      if (!target) return;
      const grants = await deps.sessionView.activeGrants(target.user.id);
      renderConsole(ctx, 'console-set-password', request, 'users', {
        user: target.user,
        apps: appLines(grants.map((g) => ({ client_id: g.client_id, client_name: g.client_name, count: g.active_refresh_tokens }))),
        minLength: target.tenant.settings.password.min_length,
        fresh: isFresh(request, deps),
        reauthUrl: reauthenticationLink(`${userPath(target.user.id)}/password`),
      });
    });

    router.post('/console/users/:id/password', async (ctx) => {
      const request = await destructiveForm(ctx, deps, `${userPath(ctx.params.id!)}/password`);
      if (!request) return;
      const target = await asPage(ctx, request, '/console/users', () => load(request, ctx.params.id!));
      if (!target) return;
      let report: SignOutReport | undefined;
      try {
        const body = validate(setPasswordSchema, { password: formField(ctx, 'password'), temporary: formField(ctx, 'temporary', 10) === 'on' });
        report = await deps.userAdministration.setPassword(target.tenant, target.user, body, eventActor(request.actor));
      } catch (err) {
        // A password the policy refuses (conflict or invalid): the form again, saying why.
        if (err instanceof GatehouseError && (err.code === 'invalid_request' || err.code === 'unprocessable')) {
          const grants = await deps.sessionView.activeGrants(target.user.id);
          return renderConsole(ctx, 'console-set-password', request, 'users', { user: target.user, apps: appLines(grants.map((g) => ({ client_id: g.client_id, client_name: g.client_name, count: g.active_refresh_tokens }))), minLength: target.tenant.settings.password.min_length, fresh: true, error: err.message, errorField: 'password' }, 400);
        }
        if (err instanceof GatehouseError && err.status < 500) return asPage(ctx, request, userPath(target.user.id), () => Promise.reject(err));
        throw err;
      }
      renderConsole(ctx, 'console-cut-off', request, 'users', { title: t('console.user.password_set_title', { username: target.user.username }), user: target.user, report: cutOffReport(report) });
    });

    // Reset: emails a code. A user who never used their temporary password cannot reset (409):
    // the page offers to email a new temporary password instead.
    router.post('/console/users/:id/reset', async (ctx) => {
      const request = await consoleForm(ctx, deps);
      if (!request) return;
      const target = await asPage(ctx, request, '/console/users', () => load(request, ctx.params.id!));
      if (!target) return;
      try {
        const sent = await deps.userAdministration.sendReset(target.user, eventActor(request.actor));
        return showUser(ctx, request, target, { sentNotice: t('console.user.reset_sent', { to: sent.sent_to, status: t(`console.message_status.${sent.message.status}`) }) });
      } catch (err) {
        if (err instanceof GatehouseError && err.code === 'conflict' && err.extensions.next_action === 'temporary-password') {
          return showUser(ctx, request, target, { offerTemporary: true, error: t('console.user.reset_needs_temporary') }, 409);
        }
        if (err instanceof GatehouseError && err.status < 500 || err instanceof GatehouseError && err.code === 'delivery_failed') return asPage(ctx, request, userPath(target.user.id), () => Promise.reject(err));
        throw err;
      }
    });

    router.post('/console/users/:id/temporary-password', async (ctx) => {
      const request = await destructiveForm(ctx, deps, userPath(ctx.params.id!));
      if (!request) return;
      const target = await asPage(ctx, request, '/console/users', () => load(request, ctx.params.id!));
      if (!target) return;
      const sent = await asPage(ctx, request, userPath(target.user.id), () => deps.userAdministration.sendTemporaryPassword(target.tenant, target.user, eventActor(request.actor)));
      if (!sent) return;
      const refreshed = (await deps.users.findById(target.user.id)) ?? target.user;
      return showUser(ctx, request, { tenant: target.tenant, user: refreshed }, { sentNotice: t('console.user.temporary_sent', { to: sent.sent_to }) });
    });

    router.post('/console/users/:id/unlock', async (ctx) => {
      const request = await consoleForm(ctx, deps);
      if (!request) return;
      const target = await asPage(ctx, request, '/console/users', () => load(request, ctx.params.id!));
      if (!target) return;
      const lifted = await deps.lockout.unlockByAdmin(target.user, eventActor(request.actor));
      const now = new Date();
      const notice = lifted.length
        ? t('console.user.unlocked', { locks: lifted.map(describeLock).map((l) => pageClock(new Date(l.until), now, target.tenant.settings.time_zone)).join(', ') })
        : t('console.user.nothing_locked');
      return showUser(ctx, request, target, { sentNotice: notice });
    });
  },
};
