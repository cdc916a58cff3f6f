import type { EventFilter, EventRepository } from '../../../domain/events/event.repository.js';
import type { TenantRepository } from '../../../domain/tenants/tenant.repository.js';
import { assertMayReadTenantEvents } from '../access-policy.js';
import type { AdminApi } from '../admin-route.js';
import { decodeCursor, pageOf, type Page } from '../pagination.js';
import { visibleTenant } from '../tenant-scope.js';
import { eventListSchema, eventView, tenantEventQuerySchema } from './event.schemas.js';

export interface EventRouteDependencies {
  tenants: TenantRepository;
  eventHistory: EventRepository;
}

/** One page of events, newest first, continued by (at, id). */
export async function eventPage(history: EventRepository, filter: EventFilter, query: { limit: number; cursor?: string }): Promise<Page<ReturnType<typeof eventView>>> {
  const rows = await history.newest(filter, { limit: query.limit, before: decodeCursor(query.cursor, /^\d{1,18}$/) });
  const page = pageOf(rows, query.limit, (e) => ({ at: e.at.toISOString(), id: String(e.id) }));
  return { items: page.items.map(eventView), next_cursor: page.next_cursor };
}

/** The tenant's event log (DESIGN §6): every sign-in decision and administrator action. */
export function registerEventRoutes(api: AdminApi, deps: EventRouteDependencies): void {
  api.route({
    method: 'get',
    path: '/tenants/{t}/events',
    summary: "The tenant's events, newest first, filtered by type, user, client and time",
    query: tenantEventQuerySchema,
    success: { status: 200, schema: eventListSchema, description: 'A page of events' },
    errors: [403, 404],
    handler: async ({ actor, params, query }) => {
      const tenant = await visibleTenant(deps.tenants, actor, params.t!);
      assertMayReadTenantEvents(actor);
      return eventPage(deps.eventHistory, { tenantId: tenant.id, type: query.type, userId: query.user, clientId: query.client, since: query.since ? new Date(query.since) : undefined }, query);
    },
  });
}
