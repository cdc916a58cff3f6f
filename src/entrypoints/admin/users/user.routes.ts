import type { UserAdminService } from '../../../domain/user-admin/user-admin.service.js';
import { GatehouseError } from '../../../infrastructure/http/gatehouse-error.js';
import type { UserRepository } from '../../../domain/users/user.repository.js';
import type { UserRecord } from '../../../domain/users/user.js';
import { userView } from './user-view.js';
import type { MessageRepository } from '../../../domain/delivery/message.repository.js';
import { bounceView, messageView } from '../messages/message.schemas.js';
import type { SessionViewService } from '../../../domain/sessions/session-view.service.js';
import type { TenantRepository } from '../../../domain/tenants/tenant.repository.js';
import type { TenantRecord } from '../../../domain/tenants/tenant.js';
import { assertMayGiveRole, assertMayGrantOperator, assertMayReadUsers } from '../access-policy.js';
import { eventActor, type AdminActor } from '../admin-actor.js';
import type { AdminApi } from '../admin-route.js';
import { decodeCursor, pageOf } from '../pagination.js';
import { visibleTenant } from '../tenant-scope.js';
import { visibleUser } from './user-scope.js';
import type { UserAdministration } from '../../../domain/user-admin/user-administration.js';
import {
  activeGrantsSchema,
  createUserSchema,
  createdUserSchema,
  emailSentSchema,
  forgottenDevicesSchema,
  setPasswordSchema,
  signOutReportSchema,
  appSignOutSchema,
  updateUserSchema,
  userListSchema,
  userSchema,
  userSearchQuerySchema,
  userUpdateResultSchema,
} from './user.schemas.js';

export interface UserRouteDependencies {
  tenants: TenantRepository;
  users: UserRepository;
  userAdmin: UserAdminService;
  /** The rules and limits every administrator's action on a user passes, shared with the console. */
  userAdministration: UserAdministration;
  sessionView: SessionViewService;
  deliveryHistory: MessageRepository;
}

/** A tenant's users: admins manage everyone, staff manage members, operators every tenant. */
export function registerUserRoutes(api: AdminApi, deps: UserRouteDependencies): void {
  /** `{t}` and `{id}` to a tenant and user the caller may see (404), then may access (403; staff: members only). */
  async function load(actor: AdminActor, params: Record<string, string>): Promise<{ tenant: TenantRecord; user: UserRecord }> {
    return visibleUser(deps, actor, params);
  }

  /** The user as the API shows it, with the lock in force (the same the diagnosis reports). */
  async function view(user: UserRecord) {
    return userView(user, await deps.userAdministration.lockedUntil(user));
  }

  api.route({
    method: 'get',
    path: '/tenants/{t}/users',
    summary: 'Search users by name, username, email or phone',
    query: userSearchQuerySchema,
    success: { status: 200, schema: userListSchema, description: 'A page of users' },
    errors: [403, 404],
    handler: async ({ actor, params, query }) => {
      const tenant = await visibleTenant(deps.tenants, actor, params.t!);
      assertMayReadUsers(actor);
      const rows = await deps.users.search(tenant.id, { q: query.q, limit: query.limit, after: decodeCursor(query.cursor) });
      const page = pageOf(rows, query.limit, (u) => ({ at: u.created_at.toISOString(), id: u.id }));
      const locked = await deps.userAdministration.lockedUntilOfMany(page.items);
      return { items: page.items.map((user) => userView(user, locked.get(user.id))), next_cursor: page.next_cursor };
    },
  });

  api.route({
    method: 'post',
    path: '/tenants/{t}/users',
    summary: 'Create a user (without a password: a temporary one is emailed)',
    body: createUserSchema,
    success: { status: 201, schema: createdUserSchema, description: 'The user, and what became of the invitation email' },
    errors: [403, 404, 409, 429],
    handler: async ({ actor, params, body }) => {
      const tenant = await visibleTenant(deps.tenants, actor, params.t!);
      assertMayGiveRole(actor, body.role ?? 'member');
      const { user, invitation } = await deps.userAdministration.create(tenant, body, eventActor(actor));
      return { ...(await view(user)), ...(invitation ? { invitation: messageView(invitation) } : {}) };
    },
  });

  api.route({
    method: 'get',
    path: '/tenants/{t}/users/{id}',
    summary: 'Read a user',
    success: { status: 200, schema: userSchema, description: 'The user' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const { user } = await load(actor, params);
      const bounce = await deps.deliveryHistory.bounceOf(user.email);
      return { ...(await view(user)), email_bounced: bounce ? bounceView(bounce) : null };
    },
  });

  api.route({
    method: 'patch',
    path: '/tenants/{t}/users/{id}',
    summary: 'Change email, phone, name, role or disabled (disabling signs the user out everywhere)',
    body: updateUserSchema,
    success: { status: 200, schema: userUpdateResultSchema, description: 'The user, and what was cut off when disabled' },
    errors: [403, 404],
    handler: async ({ actor, params, body }) => {
      const { tenant, user } = await load(actor, params);
      if (body.role) assertMayGiveRole(actor, body.role);
      if (body.is_operator !== undefined) assertMayGrantOperator(actor);
      const result = await deps.userAdmin.update(tenant, user, body, eventActor(actor));
      return { ...(await view(result.user)), ...(result.signed_out ? { signed_out: result.signed_out } : {}) };
    },
  });

  api.route({
    method: 'delete',
    path: '/tenants/{t}/users/{id}',
    summary: 'Delete a user (signs them out everywhere first)',
    success: { status: 204, description: 'Deleted' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const { tenant, user } = await load(actor, params);
      await deps.userAdmin.delete(tenant, user, eventActor(actor));
    },
  });

  api.route({
    method: 'put',
    path: '/tenants/{t}/users/{id}/password',
    summary: 'Set a password; signs the user out of every app and device and says which',
    body: setPasswordSchema,
    success: { status: 200, schema: signOutReportSchema, description: 'What was cut off: sessions ended, grants revoked per client' },
    errors: [403, 404, 409],
    handler: async ({ actor, params, body }) => {
      const { tenant, user } = await load(actor, params);
      return deps.userAdministration.setPassword(tenant, user, body, eventActor(actor));
    },
  });

  api.route({
    method: 'post',
    path: '/tenants/{t}/users/{id}/password-reset',
    summary: 'The "Reset" button: email the user a reset code and a link to the page that takes it',
    success: { status: 202, schema: emailSentSchema, description: 'The code was sent (or is being retried: see message.status)' },
    errors: [403, 404, 409, 429, 502],
    handler: async ({ actor, params }) => {
      const { user } = await load(actor, params);
      const { sent_to, codeExpiresAt, message } = await deps.userAdministration.sendReset(user, eventActor(actor));
      return { sent_to, expires_at: codeExpiresAt.toISOString(), message: messageView(message) };
    },
  });

  api.route({
    method: 'post',
    path: '/tenants/{t}/users/{id}/temporary-password',
    summary: 'Email a new temporary password; the user must change it at the next sign-in',
    success: { status: 202, schema: emailSentSchema, description: 'The temporary password was sent (or is being retried: see message.status)' },
    errors: [403, 404, 409, 429, 502],
    handler: async ({ actor, params }) => {
      const { tenant, user } = await load(actor, params);
      const { message, ...sent } = await deps.userAdministration.sendTemporaryPassword(tenant, user, eventActor(actor));
      return { ...sent, ...(message ? { message: messageView(message) } : {}) };
    },
  });

  api.route({
    method: 'post',
    path: '/tenants/{t}/users/{id}/sign-out',
    summary: 'Revoke every session, grant and refresh token of the user',
    success: { status: 200, schema: signOutReportSchema, description: 'What was cut off' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const { tenant, user } = await load(actor, params);
      return deps.userAdmin.signOutEverywhere(tenant, user, eventActor(actor));
    },
  });

  api.route({
    method: 'delete',
    path: '/tenants/{t}/users/{id}/devices',
    summary: 'Forget remembered devices: the next sign-in on every browser asks for the SMS code',
    success: { status: 200, schema: forgottenDevicesSchema, description: 'How many browsers were forgotten' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const { tenant, user } = await load(actor, params);
      return { forgotten: await deps.userAdmin.forgetDevices(tenant, user, eventActor(actor)) };
    },
  });

  api.route({
    method: 'get',
    path: '/tenants/{t}/users/{id}/sessions',
    summary: 'The apps the user is signed in to: active grants per client',
    success: { status: 200, schema: activeGrantsSchema, description: 'Active grants, most recently used first' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const { user } = await load(actor, params);
      return { items: await deps.sessionView.activeGrants(user.id) };
    },
  });

  api.route({
    method: 'delete',
    path: '/tenants/{t}/users/{id}/sessions/{client}',
    summary: "Sign the user out of one app on every device: its grants and refresh tokens are revoked, other apps stay",
    success: { status: 200, schema: appSignOutSchema, description: 'What was revoked' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const { tenant, user } = await load(actor, params);
      const revoked = await deps.userAdmin.signOutOfApp(tenant, user, params.client!, eventActor(actor));
      if (!revoked) throw new GatehouseError('not_found', 'The user is not signed in to this app.');
      return { client_id: params.client!, ...revoked };
    },
  });
}
