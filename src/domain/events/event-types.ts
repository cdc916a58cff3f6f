/** Every event type Gatehouse writes (DESIGN §6): a closed list, past tense, dotted. */
export const EVENT_TYPES = [
  'login.succeeded',
  'login.failed',
  'account.locked',
  'account.unlocked',
  'password.changed',
  'password.reset_requested',
  'password.reset_completed',
  'mfa.code_sent',
  'mfa.succeeded',
  'mfa.failed',
  'mfa.budget_exhausted',
  'token.refresh_denied',
  'token.code_denied',
  'token.device_code_denied',
  'token.client_credentials_denied',
  'user.signed_out',
  'client.secret_rotated',
  'client.auth_failed',
  'admin.tenant_created',
  'admin.tenant_updated',
  'admin.user_created',
  'admin.user_updated',
  'admin.user_deleted',
  'admin.password_set',
  'admin.user_signed_out',
  'admin.user_unlocked',
  'admin.client_created',
  'admin.client_updated',
  'admin.client_deleted',
  'admin.client_secret_rotated',
  'admin.devices_forgotten',
  'admin.key_rotated',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Who did it: an operator client or a tenant's administrator or staff member. */
export type Actor = { type: 'operator'; client_id: string } | { type: 'user'; user_id: string; username: string; tenant_id: string; role: string };

export interface GatehouseEvent {
  type: EventType;
  tenant_id?: string | null;
  user_id?: string | null;
  client_id?: string | null;
  client_kind?: string | null;
  ip?: string | null;
  user_agent?: string | null;
  /** A reason code (`wrong_password`, `password_changed_by_admin`), never a secret. */
  reason?: string | null;
  actor?: Actor | null;
  /** Extra facts for support; never a password, code, token or secret. */
  details?: Record<string, unknown> | null;
}
