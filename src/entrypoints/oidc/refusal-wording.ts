import type { RevocationReason } from '../../domain/sessions/revocation-reasons.js';

/*
 * Every refusal text a client app can see, in one place: the `error_description` of the token
 * endpoint (and of the authorization endpoint's redirect back to the app), which apps show the
 * person. Printable ASCII only (RFC 6749 §5.2). Keyed by the reason code of the refusal's event,
 * so what support reads and what the person was told go together.
 */

/** Why a user's tokens were cut off (sign-out everywhere, account changes by an administrator). */
const REVOCATION_WORDING = {
  password_changed_by_admin: 'the password was changed by an administrator; sign in again',
  password_reset: 'the password was reset; sign in again',
  password_changed: 'the password was changed; sign in again',
  signed_out_by_admin: 'an administrator signed this user out; sign in again',
  signed_out_by_user: 'the user signed this app out from their account page; sign in again',
  account_disabled: 'the account was disabled by an administrator',
  user_deleted: 'the account no longer exists',
} as const satisfies Record<RevocationReason, string>;

export const REFUSAL_WORDING = {
  ...REVOCATION_WORDING,
  /** A revocation whose reason is not (or no longer) known. */
  revoked: 'the sign-in was revoked; sign in again',

  // The token endpoint, in place of the provider's "grant request is invalid".
  refresh_token_invalid: 'the refresh token is not valid or has expired; sign in again',
  refresh_token_expired: 'the sign-in has expired; sign in again',
  refresh_token_reused: 'this refresh token was already used, so the sign-in was ended for safety; sign in again',
  refresh_token_used_concurrently: 'this refresh token was just used by another request; use the newest refresh token',
  client_mismatch: 'the token was issued to another application',
  grant_revoked: 'the sign-in was ended; sign in again',
  grant_expired: 'the sign-in has expired; sign in again',
  code_invalid: 'the authorization code is not valid or has expired; start the sign-in again',
  code_expired: 'the authorization code has expired; start the sign-in again',
  code_reused: 'the authorization code was already used; start the sign-in again',
  redirect_uri_mismatch: 'the redirect_uri differs from the one of the authorization request',
  device_code_invalid: 'the device code is not valid or has expired; start again on the device',
  device_code_reused: 'the device code was already used; start again on the device',
  account_not_found: 'the account no longer exists or was disabled; sign in again',

  // Any endpoint: a database did not answer in time. Nothing was changed; the same request
  // (the same refresh token) works once it answers again.
  temporarily_unavailable: 'the service is briefly unavailable; nothing was changed, try again in a moment',
  // Any endpoint: something failed on Gatehouse's side (logged there with the request id).
  server_error: 'something went wrong on the server; try again in a moment',
  // The authorization endpoint, to the app's developer: which setting decides.
  pkce_required_public: 'this app is a public client, so every authorization request must use PKCE: send code_challenge with code_challenge_method=S256',
  pkce_required_confidential:
    'this client is registered with require_pkce on: send code_challenge with code_challenge_method=S256, or have an administrator set require_pkce to false in the client registration (for a server-side app that sends a nonce)',
  grant_type_not_registered: 'this client is not registered for this grant type',
  client_authentication_required: 'this endpoint needs client authentication: send the client credentials (HTTP Basic, or as the client registered)',
  resource_not_registered: 'this client is not registered for this resource: an administrator adds the API to the client resources',

  // The authorization endpoint, sent back to the app with the person's sign-in ended.
  too_many_wrong_codes: 'too many wrong codes; sign in again',
  client_of_another_tenant: 'this application belongs to another organisation',
  login_required: 'sign in again',
  cancelled: 'the person cancelled the sign-in',
} as const;

export type WordedRefusal = keyof typeof REFUSAL_WORDING;

/** What the client is told when a user's tokens were revoked for `reason`. */
export function revocationMessage(reason: string | null | undefined): string {
  // Own keys only: a reason such as "constructor" must not reach Object.prototype.
  return reason && Object.hasOwn(REVOCATION_WORDING, reason) ? REVOCATION_WORDING[reason as RevocationReason] : REFUSAL_WORDING.revoked;
}

/** An integration presented a secret replaced by a rotation whose overlap has ended. */
export function clientSecretExpiredMessage(expiredAt: Date): string {
  return `the client secret expired at ${expiredAt.toISOString()} after a rotation; use the current secret`;
}

