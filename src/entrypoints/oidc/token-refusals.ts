import type { EventType } from '../../domain/events/event-types.js';
import type { RefusalFacts } from './readable-refusal.js';
import { REFUSAL_WORDING, type WordedRefusal } from './refusal-wording.js';

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
  /** The provider's error_description, for the refusals it raises with no detail. */
  description?: string;
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
 * The provider's refusals it words only as "grant request is invalid": its internal detail, and
 * the reason code of the event, whose wording (refusal-wording.ts) the client gets instead.
 * The details are the provider's own strings: token-refusals.test.ts pins each of them to the
 * installed oidc-provider, so an upgrade that rewords one fails there instead of silently
 * changing what apps show.
 */
export const PROVIDER_GRANT_DETAILS: Readonly<Record<string, WordedRefusal>> = {
  'refresh token not found': 'refresh_token_invalid',
  'refresh token is expired': 'refresh_token_expired',
  'refresh token already used': 'refresh_token_reused',
  'client mismatch': 'client_mismatch',
  'grant not found': 'grant_revoked',
  'grant is expired': 'grant_expired',
  'authorization code not found': 'code_invalid',
  'authorization code is expired': 'code_expired',
  'authorization code already consumed': 'code_reused',
  'authorization code redirect_uri mismatch': 'redirect_uri_mismatch',
  'device code not found': 'device_code_invalid',
  'device code already consumed': 'device_code_reused',
};

/** The provider's description when a client asks for a grant type it is not registered for (an `invalid_request`). */
export const PROVIDER_GRANT_TYPE_NOT_ALLOWED = 'requested grant type is not allowed for this client';

/** The provider's description when a request that needs client authentication has none (an `invalid_request`). */
export const PROVIDER_NO_CLIENT_AUTHENTICATION = 'no client authentication mechanism provided';

/** The end of the provider's detail when a token's user is gone ("refresh token invalid (…)"). */
export const PROVIDER_ACCOUNT_NOT_FOUND_SUFFIX = 'invalid (referenced account not found)';

/**
 * The internal detail of Gatehouse's own refusal when another request consumed a code or token
 * first ("refresh token was already used"), worded like the provider's details.
 */
export function alreadyUsedDetail(model: string): string {
  return `${model.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} was already used`;
}

/** Gatehouse's own details (its adapters consume atomically), mapped like the provider's. */
const OWN_GRANT_DETAILS: Readonly<Record<string, WordedRefusal>> = {
  [alreadyUsedDetail('RefreshToken')]: 'refresh_token_used_concurrently',
  [alreadyUsedDetail('AuthorizationCode')]: 'code_reused',
  [alreadyUsedDetail('DeviceCode')]: 'device_code_reused',
};

/** The provider's details of failed client authentication, pinned like the grant details. */
export const PROVIDER_CLIENT_AUTH_DETAILS: Readonly<Record<string, string>> = {
  'invalid secret provided': 'invalid_client_secret',
  'client not found': 'unknown_client',
  'the provided authentication mechanism does not match the registered client authentication method': 'wrong_authentication_method',
};

function worded(reason: WordedRefusal): { reason: string; description: string } {
  return { reason, description: REFUSAL_WORDING[reason] };
}

/**
 * Which event a refusal is, with what reason, and whether its description should become
 * readable. Undefined: not a sign-in decision (a device still waiting for its person, polling
 * too fast, or a refusal outside the token endpoint that is not about client authentication).
 */
export function classifyRefusal(refusal: ProviderRefusal): ClassifiedRefusal | undefined {
  if (refusal.error === 'invalid_client') {
    return { type: 'client.auth_failed', reason: refusal.facts?.reason ?? ownValue(PROVIDER_CLIENT_AUTH_DETAILS, refusal.detail) ?? 'client_authentication_failed' };
  }
  if (refusal.route !== 'token') return undefined;
  if (refusal.error === 'authorization_pending' || refusal.error === 'slow_down') return undefined;
  const type = EVENT_OF_GRANT.get(refusal.grantType ?? '');
  if (!type) return undefined;
  // Raised by Gatehouse itself: already worded for the person.
  if (refusal.facts) return { type, reason: refusal.facts.reason };
  if (refusal.error === 'invalid_grant') {
    const detail = refusal.detail ?? '';
    const known = ownValue(PROVIDER_GRANT_DETAILS, detail) ?? ownValue(OWN_GRANT_DETAILS, detail);
    if (known) return { type, ...worded(known) };
    if (detail.endsWith(PROVIDER_ACCOUNT_NOT_FOUND_SUFFIX)) return { type, ...worded('account_not_found') };
    return { type, reason: 'invalid_grant' };
  }
  // Answered as unauthorized_client (RFC 6749 §5.2, see interoperability.ts).
  if (refusal.error === 'invalid_request' && refusal.description === PROVIDER_GRANT_TYPE_NOT_ALLOWED) return { type, reason: 'unauthorized_client' };
  // expired_token, access_denied, invalid_scope, unauthorized_client …: the code says it.
  return { type, reason: refusal.error };
}

/** A value by a key a client chose (a grant type, a detail): own keys only, never Object.prototype's. */
function ownValue<T>(record: Readonly<Record<string, T>>, key: string | undefined): T | undefined {
  return key !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
