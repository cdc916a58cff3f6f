import type { EventType } from '../../domain/events/event-types.js';
import type { RefusalFacts } from './readable-refusal.js';

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** One refusal by the provider, as its error handler saw it. */
export interface ProviderRefusal {
  /** The provider route that refused: `token`, `introspection`, `revocation`, `device_authorization`. */
  route: string;
  grantType?: string;
  /** The OAuth error code (`invalid_grant`, `invalid_client`, …). */
  error: string;
  /** The provider's internal detail ("refresh token already used"): never shown as is. */
  detail?: string;
  /** What Gatehouse attached when it raised the refusal itself (see readable-refusal.ts). */
  facts?: RefusalFacts;
}

export interface ClassifiedRefusal {
  type: EventType;
  /** Reason code of the event. */
  reason: string;
  /** A readable `error_description` replacing the provider's generic one, when there is one to give. */
  description?: string;
}

// Maps, not object literals: the keys come from requests, and `grant_type=constructor` must
// find nothing rather than Object.prototype.constructor.
const EVENT_OF_GRANT = new Map<string, EventType>([
  ['refresh_token', 'token.refresh_denied'],
  ['authorization_code', 'token.code_denied'],
  ['client_credentials', 'token.client_credentials_denied'],
  [DEVICE_CODE_GRANT, 'token.device_code_denied'],
]);

/**
 * The provider's refusals it words only as "grant request is invalid", with the reason code of
 * the event and what a client can show the person instead (printable ASCII, RFC 6749 §5.2).
 */
const GRANT_DETAILS = new Map<string, { reason: string; description: string }>(Object.entries({
  'refresh token not found': { reason: 'refresh_token_invalid', description: 'the refresh token is not valid or has expired; sign in again' },
  'refresh token is expired': { reason: 'refresh_token_expired', description: 'the sign-in has expired; sign in again' },
  'refresh token already used': { reason: 'refresh_token_reused', description: 'this refresh token was already used, so the sign-in was ended for safety; sign in again' },
  'refresh token was already used': { reason: 'refresh_token_used_concurrently', description: 'this refresh token was just used by another request; use the newest refresh token' },
  'client mismatch': { reason: 'client_mismatch', description: 'the token was issued to another application' },
  'grant not found': { reason: 'grant_revoked', description: 'the sign-in was ended; sign in again' },
  'grant is expired': { reason: 'grant_expired', description: 'the sign-in has expired; sign in again' },
  'authorization code not found': { reason: 'code_invalid', description: 'the authorization code is not valid or has expired; start the sign-in again' },
  'authorization code is expired': { reason: 'code_expired', description: 'the authorization code has expired; start the sign-in again' },
  'authorization code already consumed': { reason: 'code_reused', description: 'the authorization code was already used; start the sign-in again' },
  'authorization code was already used': { reason: 'code_reused', description: 'the authorization code was already used; start the sign-in again' },
  'authorization code redirect_uri mismatch': { reason: 'redirect_uri_mismatch', description: 'the redirect_uri differs from the one of the authorization request' },
  'device code not found': { reason: 'device_code_invalid', description: 'the device code is not valid or has expired; start again on the device' },
  'device code already consumed': { reason: 'device_code_reused', description: 'the device code was already used; start again on the device' },
  'device code was already used': { reason: 'device_code_reused', description: 'the device code was already used; start again on the device' },
}));

const CLIENT_AUTH_REASONS = new Map<string, string>([
  ['invalid secret provided', 'invalid_client_secret'],
  ['client not found', 'unknown_client'],
  ['the provided authentication mechanism does not match the registered client authentication method', 'wrong_authentication_method'],
]);

/**
 * Which event a refusal is, with what reason, and whether its description should become
 * readable. Undefined: not a sign-in decision (a device still waiting for its person, polling
 * too fast, or a refusal outside the token endpoint that is not about client authentication).
 */
export function classifyRefusal(refusal: ProviderRefusal): ClassifiedRefusal | undefined {
  if (refusal.error === 'invalid_client') {
    return { type: 'client.auth_failed', reason: refusal.facts?.reason ?? CLIENT_AUTH_REASONS.get(refusal.detail ?? '') ?? 'client_authentication_failed' };
  }
  if (refusal.route !== 'token') return undefined;
  if (refusal.error === 'authorization_pending' || refusal.error === 'slow_down') return undefined;
  const type = EVENT_OF_GRANT.get(refusal.grantType ?? '');
  if (!type) return undefined;
  // Raised by Gatehouse itself: already worded for the person.
  if (refusal.facts) return { type, reason: refusal.facts.reason };
  if (refusal.error === 'invalid_grant') {
    const known = GRANT_DETAILS.get(refusal.detail ?? '');
    if (known) return { type, ...known };
    if (refusal.detail?.endsWith('invalid (referenced account not found)')) return { type, reason: 'account_not_found', description: 'the account no longer exists or was disabled; sign in again' };
    return { type, reason: 'invalid_grant' };
  }
  // expired_token, access_denied, invalid_scope, unauthorized_client …: the code says it.
  return { type, reason: refusal.error };
}
