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
  'mfa.method_enrolled',
  'mfa.recovery_code_used',
  'mfa.bypass_used',
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
  'admin.second_factor_removed',
  'admin.second_factor_bypass_issued',
  'admin.key_rotated',
  'admin.sso_updated',
  'admin.sso_removed',
  // sign-in through the tenant's own provider (Microsoft Entra ID or another issuer)
  'sso.refused',
  'sso.user_linked',
  'sso.user_created',
  // the person's own account page
  'account.signed_in',
  'account.phone_change_started',
  'account.phone_changed',
  'account.second_factor_confirmed',
  'account.method_renamed',
  'account.method_removed',
  'account.app_signed_out',
  // the admin console
  'console.signed_in',
  // What a type or reason outside these lists is stored as (the raw value goes into details).
  'unknown',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Every reason code an event may carry: a closed list like the types, so nothing a client sends
 * (a grant type, an error text) can become a reason. A new reason code must be added here,
 * or it is stored as `unknown` with the raw value in details.
 */
export const EVENT_REASONS = [
  // password step
  'password',
  'wrong_password',
  'previous_password',
  'unknown_user',
  'locked',
  'disabled',
  'temporary_password_expired',
  'invalid_credentials',
  'client_of_another_tenant',
  // second factor
  'wrong_code',
  'too_many_wrong_codes',
  'sms_budget_exhausted',
  'passkey_not_recognised',
  'passwordless_not_allowed',
  // sign-in through the tenant's own provider
  'sso_required',
  'domain_not_allowed',
  'no_seat_left',
  'upstream_refused',
  'upstream_failed',
  'wrong_directory',
  'username_taken',
  // lock scopes, unlocks
  'username_ip',
  'username',
  'ip',
  'second_factor',
  'unlocked_by_admin',
  // revocations and password changes
  'password_changed_by_admin',
  'password_reset',
  'password_changed',
  'signed_out_by_admin',
  'signed_out_by_user',
  'account_disabled',
  'user_deleted',
  'revoked',
  // token endpoint refusals
  'refresh_token_invalid',
  'refresh_token_expired',
  'refresh_token_reused',
  'refresh_token_used_concurrently',
  'refresh_token_rotated_moments_ago',
  'client_mismatch',
  'grant_revoked',
  'grant_expired',
  'code_invalid',
  'code_expired',
  'code_reused',
  'redirect_uri_mismatch',
  'device_code_invalid',
  'device_code_reused',
  'account_not_found',
  // client authentication
  'invalid_client_secret',
  'unknown_client',
  'wrong_authentication_method',
  'client_authentication_failed',
  'client_secret_expired',
  // OAuth error codes the provider answers with (RFC 6749, 8628, 9449 …)
  'access_denied',
  'consent_required',
  'expired_token',
  'insufficient_scope',
  'interaction_required',
  'invalid_authorization_details',
  'invalid_client',
  'invalid_client_metadata',
  'invalid_dpop_proof',
  'invalid_grant',
  'invalid_redirect_uri',
  'invalid_request',
  'invalid_request_object',
  'invalid_request_uri',
  'invalid_scope',
  'invalid_target',
  'invalid_token',
  'login_required',
  'server_error',
  'temporarily_unavailable',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'use_dpop_nonce',
  'unknown',
] as const;

export type EventReason = (typeof EVENT_REASONS)[number];

const TYPES: ReadonlySet<unknown> = new Set(EVENT_TYPES);
const REASONS: ReadonlySet<unknown> = new Set(EVENT_REASONS);

export function isEventType(value: unknown): value is EventType {
  return TYPES.has(value);
}

export function isEventReason(value: unknown): value is EventReason {
  return REASONS.has(value);
}

/** Who did it: an operator client or a tenant's administrator or staff member. */
/** An operator is a client (`client_id`) or, acting in the console, a person (`user_id`, `username`) through that client. */
export type Actor = { type: 'operator'; client_id: string; user_id?: string; username?: string; tenant_id?: string } | { type: 'user'; user_id: string; username: string; tenant_id: string; role: string };

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
