import type { RefreshChainState } from './artifact.js';
import { judgeChain, REFRESH_RETRY_WINDOW_MS, withinRetryWindow } from './refresh-chain.js';

const now = new Date('2026-11-29T10:00:00Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

function chain(fields: Partial<RefreshChainState> = {}): RefreshChainState {
  return {
    headId: 'current',
    consumedAt: null,
    revokedAt: null,
    revokedReason: null,
    expiresAt: new Date(now.getTime() + 86_400_000),
    chainStartedAt: minutesAgo(60),
    grantLive: true,
    user: { disabled: false, tokensValidAfter: null, revokedReason: null },
    ...fields,
  };
}

describe('a refresh chain', () => {
  it('goes on at its newest token while nothing cut it off', () => {
    expect(judgeChain(chain(), now)).toEqual({ kind: 'current', tokenId: 'current' });
    // A sign-out before the chain began is not about it.
    expect(judgeChain(chain({ user: { disabled: false, tokensValidAfter: minutesAgo(90), revokedReason: 'password_reset' } }), now)).toEqual({ kind: 'current', tokenId: 'current' });
  });

  it('is cut off with the reason of whoever cut it: the user gone, disabled, signed out since it began, or its token revoked', () => {
    expect(judgeChain(chain({ user: undefined }), now)).toEqual({ kind: 'revoked', reason: 'user_deleted' });
    expect(judgeChain(chain({ user: { disabled: true, tokensValidAfter: null, revokedReason: null } }), now)).toEqual({ kind: 'revoked', reason: 'account_disabled' });
    expect(judgeChain(chain({ user: { disabled: false, tokensValidAfter: minutesAgo(5), revokedReason: 'password_changed_by_admin' } }), now)).toEqual({ kind: 'revoked', reason: 'password_changed_by_admin' });
    expect(judgeChain(chain({ revokedAt: minutesAgo(1), revokedReason: 'signed_out_by_admin' }), now)).toEqual({ kind: 'revoked', reason: 'signed_out_by_admin' });
    expect(judgeChain(chain({ revokedAt: minutesAgo(1) }), now)).toEqual({ kind: 'revoked', reason: 'revoked' });
  });

  it('has ended when its grant is gone, is unknown without a usable newest token, and expires with its 30 days', () => {
    expect(judgeChain(chain({ grantLive: false }), now)).toEqual({ kind: 'ended' });
    expect(judgeChain(undefined, now)).toEqual({ kind: 'unknown' });
    expect(judgeChain(chain({ consumedAt: minutesAgo(0) }), now)).toEqual({ kind: 'unknown' });
    expect(judgeChain(chain({ expiresAt: minutesAgo(1) }), now)).toEqual({ kind: 'expired' });
  });

  it('takes a token presented again within 10 seconds of its rotation as a retry, later as a replay', () => {
    expect(withinRetryWindow(new Date(now.getTime() - REFRESH_RETRY_WINDOW_MS + 1), now)).toBe(true);
    expect(withinRetryWindow(new Date(now.getTime() - REFRESH_RETRY_WINDOW_MS), now)).toBe(false);
  });
});
