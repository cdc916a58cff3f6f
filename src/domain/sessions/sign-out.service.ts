import type { Knex } from 'knex';
import type { ArtifactRepository } from './artifact.repository.js';
import type { UserGrant } from './artifact.js';
import type { LogoutNotice, LogoutNotices, LogoutNoticeStatus } from './logout-notices.js';
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
  /** The apps told over their back-channel logout URI, and whether they took it. */
  logout_notices: { client_id: string; client_name: string | null; status: LogoutNoticeStatus; reason?: string }[];
}

/** A sign-out done inside a transaction, with what remains to do once it committed. */
export interface SignOutCut {
  userId: string;
  report: SignOutReport;
  grantIds: string[];
  grants: UserGrant[];
  /** The session ids each app knew, read before the sessions went: a logout token names them. */
  sessionIds: Map<string, string[]>;
}

/** The cut-offs an administrator makes (a password set, a sign-out, a disabled or deleted account). */
const ADMINISTRATORS_CUTS: ReadonlySet<RevocationReason> = new Set(['password_changed_by_admin', 'signed_out_by_admin', 'account_disabled', 'user_deleted']);

/**
 * Signs a user out everywhere: every browser session, every grant and every refresh token of
 * every client, at once, in one transaction with whatever the change that causes it writes
 * (the new password, the disabled flag, the audit events): a crash between them cannot leave
 * old tokens alive. Refresh tokens stay behind as tombstones with the reason, so the mobile app
 * or downloader presenting one is told why; `tokens_valid_after` refuses anything that escaped
 * (a refresh checks it in the statement that rotates). Web apps that registered a back-channel
 * logout URI are sent a logout token once it committed, so their own sessions end too.
 */
export class SignOutService {
  /** The logout tokens queued for a report, per app, until `withNoticeOutcomes` reads them. */
  private readonly queued = new WeakMap<SignOutReport, { clientId: string; jobIds: string[] }[]>();

  constructor(
    private readonly knex: Knex,
    private readonly artifacts: ArtifactRepository,
    private readonly revokeGrant: GrantRevoker,
    /** Forgets the browsers a user signed in from (inside the sign-out's transaction). */
    private readonly forgetBrowsers?: (userId: string, trx: Knex.Transaction) => Promise<number>,
    private readonly logoutNotices?: LogoutNotices,
  ) {}

  /**
   * Signs the user out in a transaction of its own; `alongside` writes the change that causes it
   * in the same transaction.
   */
  async signOutEverywhere(userId: string, reason: RevocationReason, alongside?: WithinSignOut): Promise<SignOutReport> {
    const cut = await this.knex.transaction(async (trx) => {
      const done = await this.cutOff(trx, userId, reason);
      await alongside?.(trx, done.report);
      return done;
    });
    await this.sweep(cut);
    return cut.report;
  }

  /**
   * Signs the user out of one app only (the person's own "sign out" on the account page): that
   * client's grants and refresh tokens go, in one transaction with `alongside`; the browser
   * session and every other app stay. The app is sent a logout token if it takes them.
   */
  async signOutOfApp(userId: string, clientId: string, reason: RevocationReason, alongside?: (trx: Knex.Transaction, revoked: { grants: number; refresh_tokens: number }) => Promise<void>): Promise<{ grants: number; refresh_tokens: number }> {
    const done = await this.knex.transaction(async (trx) => {
      const artifacts = this.artifacts.within(trx);
      const grants = (await artifacts.grantsOf(userId)).filter((grant) => grant.client_id === clientId);
      const sessionIds = new Map([[clientId, (await artifacts.sessionIdsPerClient(userId)).get(clientId) ?? []]]);
      const { grantIds, refreshTokensRevoked } = await artifacts.deleteGrantsOfClient(userId, clientId, reason);
      const revoked = { grants: grantIds.length, refresh_tokens: refreshTokensRevoked };
      await alongside?.(trx, revoked);
      return { grantIds, grants, sessionIds, revoked };
    });
    await Promise.all(done.grantIds.map((grantId) => this.revokeGrant(grantId)));
    await this.notifyApps(userId, done.grants, done.sessionIds);
    return done.revoked;
  }

  /** The sign-out, inside the caller's transaction; call `sweep` once it committed. */
  async cutOff(trx: Knex.Transaction, userId: string, reason: RevocationReason): Promise<SignOutCut> {
    const artifacts = this.artifacts.within(trx);
    const counts = await artifacts.liveRefreshTokensPerGrant(userId);
    const grants = await artifacts.grantsOf(userId);
    // Read before the sessions go: they say which session of each app to end.
    const sessionIds = await artifacts.sessionIdsPerClient(userId);
    // Grants first (see deleteGrantsOf): refreshes under way finish before the tombstones are laid.
    const grantIds = await artifacts.deleteGrantsOf(userId);
    // Whole seconds: token `iat` has second precision, and a sign-in in the same second as the
    // cut must not be refused.
    const cut = new Date(Math.floor(Date.now() / 1000) * 1000);
    await trx('users').where({ id: userId }).update({ tokens_valid_after: cut, tokens_revoked_reason: reason, updated_at: trx.fn.now() });
    await artifacts.tombstoneRefreshTokensOf(userId, reason, cut);
    const sessionsEnded = await artifacts.deleteSessionsOf(userId);
    // Incident response: after an administrator's cut no browser keeps what it earned before —
    // neither a passed second step nor being "known" (spared the username-wide lockout, told
    // about previous passwords). The person's own reset keeps them (only the second step is
    // forgotten there).
    if (ADMINISTRATORS_CUTS.has(reason)) await this.forgetBrowsers?.(userId, trx);
    return {
      userId,
      grantIds,
      grants,
      sessionIds,
      report: {
        sessions_ended: sessionsEnded,
        grants_revoked: grants.map((g) => ({ client_id: g.client_id, client_kind: g.client_kind, client_name: g.client_name, refresh_tokens_revoked: counts.get(g.grant_id) ?? 0 })),
        logout_notices: [],
      },
    };
  }

  /**
   * After the commit: access tokens and codes kept outside PostgreSQL, caches of the grants, and
   * the logout tokens to the apps that take them (queued durably; the report lists them).
   */
  async sweep(cut: SignOutCut): Promise<void> {
    await Promise.all(cut.grantIds.map((grantId) => this.revokeGrant(grantId)));
    const notified = await this.notifyApps(cut.userId, cut.grants, cut.sessionIds);
    cut.report.logout_notices = notified.map((n) => ({ client_id: n.clientId, client_name: n.clientName, status: 'queued' }));
    this.queued.set(cut.report, notified);
  }

  /**
   * The report with what each app's logout token came to once its first attempt is over (or as
   * it stands after `timeoutMs`): for an administrator's answer, who is told which apps took it.
   */
  async withNoticeOutcomes(report: SignOutReport, timeoutMs: number): Promise<SignOutReport> {
    const queued = this.queued.get(report);
    if (!queued?.length || !this.logoutNotices) return report;
    const outcomes = await this.logoutNotices.outcomes(queued.flatMap((q) => q.jobIds), timeoutMs);
    let next = 0;
    const perApp = queued.map((q) => outcomes.slice(next, (next += q.jobIds.length)));
    return {
      ...report,
      logout_notices: report.logout_notices.map((notice, index) => {
        // An app is as far as its least advanced token (one per session it knew).
        const worst = perApp[index]!.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
        return { ...notice, status: worst.status, ...(worst.reason ? { reason: worst.reason } : {}) };
      }),
    };
  }

  /** One logout token per session the app knew, or one for every session of the user there. */
  private async notifyApps(userId: string, grants: UserGrant[], sessionIds: Map<string, string[]>): Promise<{ clientId: string; clientName: string | null; jobIds: string[] }[]> {
    if (!this.logoutNotices) return [];
    const apps = new Map<string, string | null>();
    for (const grant of grants) if (grant.backchannel_logout_uri) apps.set(grant.client_id, grant.client_name);
    if (apps.size === 0) return [];
    const queued: { clientId: string; clientName: string | null; jobIds: string[] }[] = [];
    const notices: LogoutNotice[] = [];
    for (const [clientId, clientName] of apps) {
      const sids = sessionIds.get(clientId) ?? [];
      const perApp: LogoutNotice[] = sids.length ? sids.map((sid) => ({ clientId, accountId: userId, sid })) : [{ clientId, accountId: userId }];
      notices.push(...perApp);
      queued.push({ clientId, clientName, jobIds: [] });
    }
    const ids = await this.logoutNotices.send(notices);
    for (const app of queued) app.jobIds = notices.flatMap((n, i) => (n.clientId === app.clientId ? [ids[i]!] : []));
    return queued;
  }
}

const RANK: Record<LogoutNoticeStatus, number> = { delivered: 0, queued: 1, retrying: 2, failed: 3 };
