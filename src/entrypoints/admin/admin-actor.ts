import type { UserRecord } from '../../domain/users/user.js';
import type { Actor } from '../../domain/events/event-types.js';

/**
 * Who is calling the admin API (or acting in the console), as established from the database on
 * this request: an operator (every tenant) — an operator client, or a person with the operator
 * flag acting through a client (`person`) — or a user of one tenant with their current role.
 */
export type AdminActor = { kind: 'operator'; clientId: string; person?: UserRecord } | { kind: 'user'; user: UserRecord };

/** The actor of a signed-in person, re-read from the database: operator flag first, then the role. */
export function actorOfPerson(user: UserRecord, clientId: string): AdminActor {
  return user.is_operator ? { kind: 'operator', clientId, person: user } : { kind: 'user', user };
}

export function eventActor(actor: AdminActor): Actor {
  if (actor.kind === 'operator') {
    // A person is recorded as who they are, not only as the client they acted through.
    const { person } = actor;
    return person ? { type: 'operator', client_id: actor.clientId, user_id: person.id, username: person.username, tenant_id: person.tenant_id } : { type: 'operator', client_id: actor.clientId };
  }
  return { type: 'user', user_id: actor.user.id, username: actor.user.username, tenant_id: actor.user.tenant_id, role: actor.user.role };
}
