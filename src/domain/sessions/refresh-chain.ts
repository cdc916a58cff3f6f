import type { RefreshChainState } from './artifact.js';

/**
 * Presenting a refresh token again within this long of its rotation is a retry (the answer was
 * lost, or two threads of one app sent it): it gets the chain's current token. Later, it is a
 * replay, and the whole grant is revoked.
 */
export const REFRESH_RETRY_WINDOW_MS = 10_000;

/** Whether a token consumed at `consumedAt` may still be presented as a retry at `now`. */
export function withinRetryWindow(consumedAt: Date, now: Date = new Date()): boolean {
  return now.getTime() - consumedAt.getTime() < REFRESH_RETRY_WINDOW_MS;
}

/**
 * What a chain allows its app, judged at its newest token:
 * - `current`: the chain goes on; `tokenId` is its current refresh token;
 * - `revoked`: cut off, for `reason` (a RevocationReason: the administrator's, the user's);
 * - `ended`: its grant is gone or expired (replayed, revoked, expired sign-in);
 * - `unknown`: no usable token at its end (deleted, or rotated more often than a retry explains);
 * - `expired`: the chain's 30 days are over.
 */
export type ChainVerdict =
  | { kind: 'current'; tokenId: string }
  | { kind: 'revoked'; reason: string }
  | { kind: 'ended' }
  | { kind: 'unknown' }
  | { kind: 'expired' };

export function judgeChain(chain: RefreshChainState | undefined, now: Date = new Date()): ChainVerdict {
  if (!chain) return { kind: 'unknown' };
  if (!chain.user) return { kind: 'revoked', reason: 'user_deleted' };
  if (chain.user.disabled) return { kind: 'revoked', reason: 'account_disabled' };
  const { tokensValidAfter } = chain.user;
  if (tokensValidAfter && (!chain.chainStartedAt || chain.chainStartedAt < tokensValidAfter)) return { kind: 'revoked', reason: chain.user.revokedReason ?? 'revoked' };
  if (chain.revokedAt) return { kind: 'revoked', reason: chain.revokedReason ?? 'revoked' };
  if (!chain.grantLive) return { kind: 'ended' };
  if (chain.consumedAt) return { kind: 'unknown' };
  if (chain.expiresAt && chain.expiresAt <= now) return { kind: 'expired' };
  return { kind: 'current', tokenId: chain.headId };
}
