/**
 * Why a user's tokens were cut off: kept on the user and on each tombstoned refresh token, and
 * recorded as the reason of the refused refresh's event. What the client app is told for each is
 * worded with the other refusals, in entrypoints/oidc/refusal-wording.ts.
 */
export const REVOCATION_REASONS = ['password_changed_by_admin', 'password_reset', 'password_changed', 'signed_out_by_admin', 'account_disabled', 'user_deleted', 'signed_out_by_user'] as const;

export type RevocationReason = (typeof REVOCATION_REASONS)[number];
