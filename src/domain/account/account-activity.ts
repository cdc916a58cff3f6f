import type { ClientRepository } from '../clients/client.repository.js';
import type { EventRepository } from '../events/event.repository.js';
import type { EventType } from '../events/event-types.js';

/** The events a person is shown as their sign-in activity. */
const SIGN_IN_ACTIVITY: ReadonlySet<EventType> = new Set(['login.succeeded', 'login.failed', 'mfa.failed', 'account.locked']);
const LOOK_BACK_MS = 30 * 24 * 60 * 60_000;

export interface ActivityLine {
  at: Date;
  outcome: 'succeeded' | 'failed' | 'locked';
  /** The app's name, or null for a sign-in to no particular app. */
  app: string | null;
  ip: string | null;
  reason: string | null;
}

/** A person's recent sign-ins, successful and failed, from the event log (their own events only). */
export class AccountActivity {
  constructor(private readonly deps: { history: EventRepository; clients: ClientRepository; now: () => Date }) {}

  async recent(userId: string, limit = 20): Promise<ActivityLine[]> {
    const since = new Date(this.deps.now().getTime() - LOOK_BACK_MS);
    const events = (await this.deps.history.ofUser(userId, since, 200)).filter((event) => SIGN_IN_ACTIVITY.has(event.type)).slice(0, limit);
    const names = new Map<string, string>();
    for (const clientId of new Set(events.flatMap((event) => (event.client_id ? [event.client_id] : [])))) {
      const client = await this.deps.clients.findById(clientId);
      if (client) names.set(clientId, client.name);
    }
    return events.map((event) => ({
      at: new Date(event.at),
      outcome: event.type === 'login.succeeded' ? 'succeeded' : event.type === 'account.locked' ? 'locked' : 'failed',
      app: event.client_id ? (names.get(event.client_id) ?? event.client_id) : null,
      ip: event.ip,
      reason: event.reason,
    }));
  }
}
