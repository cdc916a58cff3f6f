import type { Router } from '@koa/router';
import type { UserRecord } from '../../../domain/users/user.js';
import { GatehouseError } from '../../../infrastructure/http/gatehouse-error.js';
import { assertMayGiveRole, assertMayReadUsers } from '../../admin/access-policy.js';
import { eventActor } from '../../admin/admin-actor.js';
import { validate } from '../../admin/request-validation.js';
import { createUserSchema } from '../../admin/users/user.schemas.js';
import { decodeCursor, pageOf } from '../../admin/pagination.js';
import { visibleTenant } from '../../admin/tenant-scope.js';
import { userStatus } from '../../admin/users/user-view.js';
import { pageClock } from '../../pages/rendering/page-text.js';
import { asPage, consoleForm, formField, invalidInput, openConsole, queryField, renderConsole, seeOther } from '../console-request.js';
import type { ConsoleDependencies, ConsoleSection } from '../console-section.js';

const PAGE_SIZE = 25;

/** One user as a line of the list and the head of their page: status with until when it is locked. */
export async function userLine(deps: ConsoleDependencies, user: UserRecord, timeZone: string, known?: { lockedUntil: Date | undefined }) {
  const now = new Date();
  const lockedUntil = known ? known.lockedUntil : await deps.userAdministration.lockedUntil(user);
  const status = userStatus(user, now, lockedUntil);
  return { user, status, lockedUntil: status === 'locked' && lockedUntil ? pageClock(lockedUntil, now, timeZone) : undefined, lastLogin: user.last_login_at ? pageClock(user.last_login_at, now, timeZone) : undefined };
}

/** Users: search by name, username, email or phone, a page at a time (as GET …/users); create one. */
export const usersSection: ConsoleSection = {
  id: 'users',
  path: '/console/users',
  label: 'console.nav.users',
  shownTo: () => true,
  register(router: Router, deps: ConsoleDependencies) {
    router.get('/console/users', async (ctx) => {
      const request = await openConsole(ctx, deps);
      if (!request) return;
      const q = queryField(ctx, 'q').trim();
      const listed = await asPage(ctx, request, '/console/users', async () => {
        const tenant = await visibleTenant(deps.tenants, request.actor, request.tenant.id);
        assertMayReadUsers(request.actor);
        const rows = await deps.users.search(tenant.id, { q: q || undefined, limit: PAGE_SIZE, after: decodeCursor(queryField(ctx, 'cursor') || undefined) });
        const page = pageOf(rows, PAGE_SIZE, (u) => ({ at: u.created_at.toISOString(), id: u.id }));
        const locked = await deps.userAdministration.lockedUntilOfMany(page.items);
        return { lines: await Promise.all(page.items.map((user) => userLine(deps, user, tenant.settings.time_zone, { lockedUntil: locked.get(user.id) }))), next: page.next_cursor };
      });
      if (!listed) return;
      const nextUrl = listed.next ? `/console/users?${new URLSearchParams({ ...(q ? { q } : {}), cursor: listed.next }).toString()}` : undefined;
      renderConsole(ctx, 'console-users', request, 'users', { q, lines: listed.lines, nextUrl, firstUrl: queryField(ctx, 'cursor') ? `/console/users${q ? `?q=${encodeURIComponent(q)}` : ''}` : undefined });
    });

    router.get('/console/users/new', async (ctx) => {
      const request = await openConsole(ctx, deps);
      if (!request) return;
      renderConsole(ctx, 'console-user-new', request, 'users', { values: {}, staff: request.actor.kind === 'user' && request.actor.user.role === 'staff', focus: 'username' });
    });

    // As POST …/users: without a password the person is emailed a temporary one (an invitation).
    router.post('/console/users', async (ctx) => {
      const request = await consoleForm(ctx, deps);
      if (!request) return;
      const values = { username: formField(ctx, 'username', 100).trim(), email: formField(ctx, 'email', 300).trim(), name: formField(ctx, 'name', 300).trim(), phone: formField(ctx, 'phone', 64).trim(), role: formField(ctx, 'role', 20) || 'member' };
      const staff = request.actor.kind === 'user' && request.actor.user.role === 'staff';
      const password = formField(ctx, 'password');
      try {
        const tenant = await visibleTenant(deps.tenants, request.actor, request.tenant.id);
        const body = validate(createUserSchema, { ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '')), ...(formField(ctx, 'invite', 10) === 'on' || !password ? {} : { password }) });
        assertMayGiveRole(request.actor, body.role ?? 'member');
        const { user } = await deps.userAdministration.create(tenant, body, eventActor(request.actor));
        seeOther(ctx, `/console/users/${user.id}?done=${body.password === undefined ? 'user-invited' : 'user-created'}`);
      } catch (err) {
        const invalid = invalidInput(err);
        if (invalid || (err instanceof GatehouseError && err.code === 'conflict')) {
          return renderConsole(ctx, 'console-user-new', request, 'users', { values, staff, ...(invalid ?? { error: (err as Error).message, errorField: 'username' }) }, invalid ? 400 : 409);
        }
        if (err instanceof GatehouseError && (err.status < 500 || err.code === 'delivery_failed')) return asPage(ctx, request, '/console/users/new', () => Promise.reject(err));
        throw err;
      }
    });
  },
};
