import type { UserRepository } from '../../../domain/users/user.repository.js';
import type { DiagnosisService } from '../../../domain/diagnosis/diagnosis.service.js';
import type { EventRepository } from '../../../domain/events/event.repository.js';
import { describeLock, type LockoutService } from '../../../domain/lockout/lockout.service.js';
import type { TenantRepository } from '../../../domain/tenants/tenant.repository.js';
import { eventActor } from '../admin-actor.js';
import type { AdminApi } from '../admin-route.js';
import { eventPage } from '../events/event.routes.js';
import { eventListSchema, userEventQuerySchema } from '../events/event.schemas.js';
import { visibleUser } from './user-scope.js';
import { diagnosisSchema, unlockResultSchema } from './user-support.schemas.js';

export interface UserSupportRouteDependencies {
  tenants: TenantRepository;
  users: UserRepository;
  lockout: LockoutService;
  diagnosis: DiagnosisService;
  eventHistory: EventRepository;
}

/**
 * What support needs when a person cannot sign in: the user's events, the diagnosis, and the
 * unlock. Staff may use them for the members they manage, administrators for everyone.
 */
export function registerUserSupportRoutes(api: AdminApi, deps: UserSupportRouteDependencies): void {
  api.route({
    method: 'get',
    path: '/tenants/{t}/users/{id}/events',
    summary: "The user's sign-in events, newest first",
    query: userEventQuerySchema,
    success: { status: 200, schema: eventListSchema, description: 'A page of events' },
    errors: [403, 404],
    handler: async ({ actor, params, query }) => {
      const { tenant, user } = await visibleUser(deps, actor, params);
      return eventPage(deps.eventHistory, { tenantId: tenant.id, userId: user.id, type: query.type, since: query.since ? new Date(query.since) : undefined }, query);
    },
  });

  api.route({
    method: 'get',
    path: '/tenants/{t}/users/{id}/diagnosis',
    summary: 'Why the user can or cannot sign in, and what happened last on each client',
    success: { status: 200, schema: diagnosisSchema, description: 'Blockers with readable messages, and per client the last success and failure' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const { tenant, user } = await visibleUser(deps, actor, params);
      return deps.diagnosis.diagnose(tenant, user);
    },
  });

  api.route({
    method: 'post',
    path: '/tenants/{t}/users/{id}/unlock',
    summary: "Lift the user's sign-in locks and forget their failed attempts",
    success: { status: 200, schema: unlockResultSchema, description: 'The locks that were in force (none: nothing was locked)' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const { user } = await visibleUser(deps, actor, params);
      return { unlocked: (await deps.lockout.unlockByAdmin(user, eventActor(actor))).map(describeLock) };
    },
  });
}
