import type { SignInSource } from '../events/sign-in-events.js';
import type { Actor } from '../events/event-types.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { UserRecord } from '../users/user.js';

/** The person acting on their own account page, and where the request came from. */
export interface AccountSubject {
  user: UserRecord;
  tenant: TenantRecord;
  source: SignInSource;
  /** Scopes the second-factor challenges opened on this page to one account session. */
  scope: string;
}

/** The person is the actor of what they do to their own account. */
export function selfActor(user: UserRecord): Actor {
  return { type: 'user', user_id: user.id, username: user.username, tenant_id: user.tenant_id, role: user.role };
}

/** The event columns every account-page event carries. */
export function accountEventFields(subject: AccountSubject) {
  const { user, source } = subject;
  return { tenant_id: user.tenant_id, user_id: user.id, ip: source.ip, user_agent: source.userAgent ?? null, client_id: source.clientId ?? null, client_kind: source.clientKind ?? null, actor: selfActor(user) };
}
