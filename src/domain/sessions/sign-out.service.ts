import type { Knex } from 'knex';
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
    private readonly revokeGrant: GrantRevoker,
  ) {}

  /**
   * `within` runs in the same transaction, after the cut: what caused the sign-out and the event
   * recording it commit or roll back together with it.
   */
  async signOutEverywhere(userId: string, reason: RevocationReason, within?: WithinSignOut): Promise<SignOutReport> {
    const refreshTokensPerGrant = await this.knex('oidc_artifacts')
      .select('grant_id')
      .count<{ grant_id: string; count: number }[]>('* as count')
      .where({ type: 'RefreshToken', account_id: userId })
      .whereNull('consumed_at')
      .whereNull('revoked_at')
      .andWhere('expires_at', '>', this.knex.fn.now())
      .groupBy('grant_id');
    const grants = await this.knex('oidc_artifacts as a')
      .leftJoin('clients as c', 'c.client_id', 'a.client_id')
      .select('a.id as grant_id', 'a.client_id', 'c.kind as client_kind', 'c.name as client_name')
      .where({ 'a.type': 'Grant', 'a.account_id': userId });

    // Whole seconds: token `iat` has second precision, and a sign-in in the same second as the
    // cut must not be refused.
    const cut = new Date(Math.floor(Date.now() / 1000) * 1000);
    const counts = new Map(refreshTokensPerGrant.map((row) => [row.grant_id, Number(row.count)]));
    const report = await this.knex.transaction(async (trx): Promise<SignOutReport> => {
      await trx('users').where({ id: userId }).update({ tokens_valid_after: cut, tokens_revoked_reason: reason, updated_at: trx.fn.now() });
      await trx('oidc_artifacts').where({ type: 'RefreshToken', account_id: userId }).whereNull('revoked_at').update({ revoked_at: trx.fn.now(), revoked_reason: reason });
      const sessionsEnded = Number(await trx('oidc_artifacts').where({ type: 'Session', account_id: userId }).delete());
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
