import type { UserRecord } from '../../domain/users/user.js';
import type { Actor } from '../../domain/events/event-types.js';

/**
 * Who is calling the admin API, as established from the database on this request: an operator
 * client (every tenant) or a user of one tenant with their current role.
 */
export type AdminActor = { kind: 'operator'; clientId: string } | { kind: 'user'; user: UserRecord };

export function eventActor(actor: AdminActor): Actor {
  return actor.kind === 'operator'
    ? { type: 'operator', client_id: actor.clientId }
    : { type: 'user', user_id: actor.user.id, username: actor.user.username, tenant_id: actor.user.tenant_id, role: actor.user.role };
}
