import type { EventLog } from './event-log.js';

/** Where a sign-in decision came from: the evidence every event of DESIGN §6 carries. */
export interface SignInSource {
  ip: string;
  userAgent?: string | null;
  clientId?: string | null;
  clientKind?: string | null;
}

/** The event columns of a source. */
export function sourceFields(source: SignInSource) {
  return { ip: source.ip, user_agent: source.userAgent ?? null, client_id: source.clientId ?? null, client_kind: source.clientKind ?? null };
}

type Subject = { id: string; tenant_id: string } | undefined;

/**
 * The outcome of the password step, as events. The reason is a code (`wrong_password`,
 * `previous_password`, `locked`, `client_of_another_tenant`), never what was typed: an unknown
 * username is recorded without it, since people type passwords into the username field too.
 */
export class SignInEvents {
  constructor(private readonly events: EventLog) {}

  succeeded(user: NonNullable<Subject>, source: SignInSource, details?: Record<string, unknown>): void {
    this.events.record({ type: 'login.succeeded', tenant_id: user.tenant_id, user_id: user.id, ...sourceFields(source), reason: 'password', details });
  }

  failed(user: Subject, source: SignInSource, reason: string, details?: Record<string, unknown>): void {
    this.events.record({ type: 'login.failed', tenant_id: user?.tenant_id ?? null, user_id: user?.id ?? null, ...sourceFields(source), reason, details });
  }
}
