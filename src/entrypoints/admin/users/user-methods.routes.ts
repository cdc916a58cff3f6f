import type { SecondFactorAdminService } from '../../../domain/second-factor/second-factor-admin.service.js';
import type { TenantRepository } from '../../../domain/tenants/tenant.repository.js';
import type { UserRepository } from '../../../domain/users/user.repository.js';
import { GatehouseError } from '../../../infrastructure/http/gatehouse-error.js';
import { assertMayAccessUser } from '../access-policy.js';
import { eventActor } from '../admin-actor.js';
import type { AdminApi } from '../admin-route.js';
import { bypassBodySchema, bypassResultSchema, methodListSchema } from './user-methods.schemas.js';
import { visibleUser } from './user-scope.js';

export interface UserMethodRouteDependencies {
  tenants: TenantRepository;
  users: UserRepository;
  secondFactorAdmin: SecondFactorAdminService;
}

/** A user's second-factor methods as support sees them: list, remove, and a one-time bypass. */
export function registerUserMethodRoutes(api: AdminApi, deps: UserMethodRouteDependencies): void {
  api.route({
    method: 'get',
    path: '/tenants/{t}/users/{id}/second-factor-methods',
    summary: "The user's second-factor methods (never a secret)",
    success: { status: 200, schema: methodListSchema, description: 'Text message, authenticator apps, passkeys, recovery codes' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const { user } = await visibleUser(deps, actor, params);
      assertMayAccessUser(actor, user);
      return { items: await deps.secondFactorAdmin.list(user) };
    },
  });

  api.route({
    method: 'delete',
    path: '/tenants/{t}/users/{id}/second-factor-methods/{method}',
    summary: 'Remove one method; browsers remembered for the second step must pass it again',
    success: { status: 204, description: 'Removed' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const { tenant, user } = await visibleUser(deps, actor, params);
      assertMayAccessUser(actor, user);
      if (!(await deps.secondFactorAdmin.remove(tenant, user, params.method!, eventActor(actor)))) throw new GatehouseError('not_found', 'The user has no such second-factor method.');
    },
  });

  api.route({
    method: 'post',
    path: '/tenants/{t}/users/{id}/second-factor-bypass',
    summary: 'Let a user who lost every method sign in once without the second step (expires; the user is emailed)',
    body: bypassBodySchema,
    success: { status: 201, schema: bypassResultSchema, description: 'The pass and until when it can be used' },
    errors: [403, 404],
    handler: async ({ actor, params, body }) => {
      const { tenant, user } = await visibleUser(deps, actor, params);
      assertMayAccessUser(actor, user);
      return deps.secondFactorAdmin.issueBypass(tenant, user, body.minutes, eventActor(actor));
    },
  });
}
