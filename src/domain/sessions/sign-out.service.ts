import type { Knex } from 'knex';
import type { ArtifactRepository } from './artifact.repository.js';
import type { RevocationReason } from './revocation-reasons.js';

/** Revokes what the provider keeps for one grant (access tokens, codes, the grant itself). */
export type GrantRevoker = (grantId: string) => Promise<void>;

/** More work for the sign-out's transaction (the change that caused it, its audit events). */
export type WithinSignOut = (trx: Knex.Transaction, report: SignOutReport) => Promise<void>;

export interface SignOutReport {
  sessions_ended: number;
  grants_revoked: { client_id: string; client_kind: string | null; client_name: string | null; refresh_tokens_revoked: number }[];
}

/**
 * Signs a user out everywhere: every browser session, every grant and every refresh token of
 * every client, at once. Refresh tokens stay behind as tombstones with the reason, so the
 * mobile app or downloader presenting one is told why; `tokens_valid_after` refuses anything
 * that escaped (tokens are checked against it on every use).
 */
export class SignOutService {
  constructor(
    private readonly knex: Knex,
    private readonly artifacts: ArtifactRepository,
    private readonly revokeGrant: GrantRevoker,
  ) {}

  /**
   * `within` runs in the same transaction, after the cut: what caused the sign-out and the event
   * recording it commit or roll back together with it.
   */
  async signOutEverywhere(userId: string, reason: RevocationReason, within?: WithinSignOut): Promise<SignOutReport> {
    const counts = await this.artifacts.liveRefreshTokensPerGrant(userId);
    const grants = await this.artifacts.grantsOf(userId);

    // Whole seconds: token `iat` has second precision, and a sign-in in the same second as the
    // cut must not be refused.
    const cut = new Date(Math.floor(Date.now() / 1000) * 1000);
    const report = await this.knex.transaction(async (trx): Promise<SignOutReport> => {
      await trx('users').where({ id: userId }).update({ tokens_valid_after: cut, tokens_revoked_reason: reason, updated_at: trx.fn.now() });
      const artifacts = this.artifacts.within(trx);
      await artifacts.tombstoneRefreshTokensOf(userId, reason);
      const sessionsEnded = await artifacts.deleteSessionsOf(userId);
      const done: SignOutReport = {
        sessions_ended: sessionsEnded,
        grants_revoked: grants.map((g) => ({ client_id: g.client_id, client_kind: g.client_kind ?? null, client_name: g.client_name ?? null, refresh_tokens_revoked: counts.get(g.grant_id) ?? 0 })),
      };
      await within?.(trx, done);
      return done;
    });
    for (const grant of grants) await this.revokeGrant(grant.grant_id);
    return report;
  }
}
