import type { MessageRepository } from '../../../domain/delivery/message.repository.js';
import type { TenantRepository } from '../../../domain/tenants/tenant.repository.js';
import type { UserRepository } from '../../../domain/users/user.repository.js';
import { assertMayAccessUser } from '../access-policy.js';
import type { AdminApi } from '../admin-route.js';
import { decodeCursor, pageOf, pageQuerySchema } from '../pagination.js';
import { visibleUser } from '../users/user-scope.js';
import { messageListSchema, messageView } from './message.schemas.js';

export interface MessageRouteDependencies {
  tenants: TenantRepository;
  users: UserRepository;
  deliveryHistory: MessageRepository;
}

/** "I didn't get the code": every email and SMS of a user, with what became of it. */
export function registerMessageRoutes(api: AdminApi, deps: MessageRouteDependencies): void {
  api.route({
    method: 'get',
    path: '/tenants/{t}/users/{id}/messages',
    summary: "The user's emails and text messages, newest first, with their status (never their content)",
    query: pageQuerySchema,
    success: { status: 200, schema: messageListSchema, description: 'A page of messages' },
    errors: [403, 404],
    handler: async ({ actor, params, query }) => {
      const { user } = await visibleUser(deps, actor, params);
      assertMayAccessUser(actor, user);
      const rows = await deps.deliveryHistory.ofUser(user.id, { limit: query.limit, before: decodeCursor(query.cursor) });
      const page = pageOf(rows, query.limit, (m) => ({ at: m.created_at.toISOString(), id: m.id }));
      return { items: page.items.map(messageView), next_cursor: page.next_cursor };
    },
  });
}
