import type { Knex } from 'knex';
import type { ArtifactRepository } from './artifact.repository.js';
import type { RevocationReason } from './revocation-reasons.js';

/**
 * Revokes what the provider keeps for one grant outside PostgreSQL's transaction (access tokens
 * and codes in Redis, caches of the grant). Best effort: it runs after the sign-out committed.
 */
export type GrantRevoker = (grantId: string) => Promise<void>;

/** More work for the sign-out's transaction (the change that caused it, its audit events). */
export type WithinSignOut = (trx: Knex.Transaction, report: SignOutReport) => Promise<void>;

export interface SignOutReport {
  sessions_ended: number;
  grants_revoked: { client_id: string; client_kind: string | null; client_name: string | null; refresh_tokens_revoked: number }[];
}

/** A sign-out done inside a transaction, with what remains to sweep once it committed. */
export interface SignOutCut {
  report: SignOutReport;
  grantIds: string[];
}

/**
 * Signs a user out everywhere: every browser session, every grant and every refresh token of
 * every client, at once, in one transaction with whatever the change that causes it writes
 * (the new password, the disabled flag, the audit events): a crash between them cannot leave
 * old tokens alive. Refresh tokens stay behind as tombstones with the reason, so the mobile app
 * or downloader presenting one is told why; `tokens_valid_after` refuses anything that escaped
 * (a refresh checks it in the statement that rotates).
 */
/** The cut-offs an administrator makes (a password set, a sign-out, a disabled or deleted account). */
const ADMINISTRATORS_CUTS: ReadonlySet<RevocationReason> = new Set(['password_changed_by_admin', 'signed_out_by_admin', 'account_disabled', 'user_deleted']);

export class SignOutService {
  constructor(
    private readonly knex: Knex,
    private readonly artifacts: ArtifactRepository,
    private readonly revokeGrant: GrantRevoker,
    /** Forgets the browsers a user signed in from (inside the sign-out's transaction). */
    private readonly forgetBrowsers?: (userId: string, trx: Knex.Transaction) => Promise<number>,
  ) {}

  /**
   * Signs the user out in a transaction of its own; `alongside` writes the change that causes it
   * in the same transaction.
   */
  async signOutEverywhere(userId: string, reason: RevocationReason, alongside?: (trx: Knex.Transaction, report: SignOutReport) => Promise<void>): Promise<SignOutReport> {
    const cut = await this.knex.transaction(async (trx) => {
      const done = await this.cutOff(trx, userId, reason);
      await alongside?.(trx, done.report);
      return done;
    });
    await this.sweep(cut);
    return cut.report;
  }

  /** The sign-out, inside the caller's transaction; call `sweep` once it committed. */
  async cutOff(trx: Knex.Transaction, userId: string, reason: RevocationReason): Promise<SignOutCut> {
    const artifacts = this.artifacts.within(trx);
    const counts = await artifacts.liveRefreshTokensPerGrant(userId);
    const grants = await artifacts.grantsOf(userId);
    // Grants first (see deleteGrantsOf): refreshes under way finish before the tombstones are laid.
    const grantIds = await artifacts.deleteGrantsOf(userId);
    // Whole seconds: token `iat` has second precision, and a sign-in in the same second as the
    // cut must not be refused.
    const cut = new Date(Math.floor(Date.now() / 1000) * 1000);
    await trx('users').where({ id: userId }).update({ tokens_valid_after: cut, tokens_revoked_reason: reason, updated_at: trx.fn.now() });
    await artifacts.tombstoneRefreshTokensOf(userId, reason);
    const sessionsEnded = await artifacts.deleteSessionsOf(userId);
    // Incident response: after an administrator's cut no browser keeps what it earned before —
    // neither a passed second step nor being "known" (spared the username-wide lockout, told
    // about previous passwords). The person's own reset keeps them (only the second step is
    // forgotten there).
    if (ADMINISTRATORS_CUTS.has(reason)) await this.forgetBrowsers?.(userId, trx);
    return {
      grantIds,
      report: {
        sessions_ended: sessionsEnded,
        grants_revoked: grants.map((g) => ({ client_id: g.client_id, client_kind: g.client_kind, client_name: g.client_name, refresh_tokens_revoked: counts.get(g.grant_id) ?? 0 })),
      },
    };
  }

  /** After the commit: access tokens and codes kept outside PostgreSQL, and caches of the grants. */
  async sweep(cut: SignOutCut): Promise<void> {
    await Promise.all(cut.grantIds.map((grantId) => this.revokeGrant(grantId)));
  }
}
