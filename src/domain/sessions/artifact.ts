/**
 * The provider's durable artifacts (sessions, grants, refresh tokens, device codes, and the
 * short-lived ones when there is no Redis), as Gatehouse stores and reads them.
 */

/** The provider's own record of an artifact: opaque to Gatehouse apart from a few fields. */
export type ArtifactPayload = Record<string, unknown>;

/** One stored artifact as the provider's adapter reads it back. */
export interface StoredArtifact {
  payload: ArtifactPayload;
  consumed_at: Date | null;
  /** Set by a sign-out everywhere: the row stays behind as a tombstone that says why. */
  revoked_at: Date | null;
  revoked_reason: string | null;
  account_id: string | null;
}

/** A refresh token as found, with its grant's payload when the grant is live (else null). */
export interface StoredRefreshToken extends StoredArtifact {
  grant_payload: ArtifactPayload | null;
  /** The token's user as `to_jsonb(users)`; null when there is none (deleted, or not a user id). */
  user_row: Record<string, unknown> | null;
}

/** What is written for an artifact: its payload, and the columns it is looked up and cleaned up by. */
export interface ArtifactWrite {
  payload: ArtifactPayload;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  accountId: string | null;
  clientId: string | null;
  /** null: never expires (the provider gave no lifetime). */
  expiresAt: Date | null;
}

/** A live grant of a user, with the app it was given to. */
export interface ActiveGrant {
  client_id: string;
  client_kind: string | null;
  client_name: string | null;
  created_at: string;
  last_used_at: string;
  active_refresh_tokens: number;
}

/** A grant of a user, whatever its state, with the app it was given to. */
export interface UserGrant {
  grant_id: string;
  client_id: string;
  client_kind: string | null;
  client_name: string | null;
  /** Where the app takes logout tokens, if it registered one. */
  backchannel_logout_uri: string | null;
}

/** A user's grants and refresh tokens of one client, summed up for the diagnosis. */
export interface ClientTokenActivity {
  client_id: string;
  active_refresh_tokens: number;
  /** The newest refresh token or grant: refreshes rotate, so it is the last success. */
  last_token_at: Date | null;
  /** Live refresh tokens that a sign-out at the cut tombstoned. */
  revoked_at_cut: number;
  /** Whether a grant was given after the cut (the user signed in again). */
  signed_in_since_cut: boolean;
}

/** A refresh-token chain as seen from a token presented to the token endpoint, at its newest token. */
export interface RefreshChainState {
  /** The newest token reached from the presented one by following what replaced each. */
  headId: string;
  consumedAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  expiresAt: Date | null;
  /** When the sign-in that began the chain happened (the tokens' `iiat`). */
  chainStartedAt: Date | null;
  /** The chain's grant exists and has not expired. */
  grantLive: boolean;
  /** undefined: the user no longer exists. */
  user?: { disabled: boolean; tokensValidAfter: Date | null; revokedReason: string | null };
}
