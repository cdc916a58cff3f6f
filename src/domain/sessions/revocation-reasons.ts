/**
 * Why a user's tokens were cut off. The messages reach client apps as the token endpoint's
 * `error_description` (RFC 6749 §5.2: printable ASCII only), so an app can tell the person.
 */
export const REVOCATION_REASONS = {
  password_changed_by_admin: 'the password was changed by an administrator; sign in again',
  password_reset: 'the password was reset; sign in again',
  password_changed: 'the password was changed; sign in again',
  signed_out_by_admin: 'an administrator signed this user out; sign in again',
  account_disabled: 'the account was disabled by an administrator',
  user_deleted: 'the account no longer exists',
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASONS;

export function revocationMessage(reason: string | null | undefined): string {
  return reason && Object.hasOwn(REVOCATION_REASONS, reason) ? REVOCATION_REASONS[reason as RevocationReason] : 'the sign-in was revoked; sign in again';
}
