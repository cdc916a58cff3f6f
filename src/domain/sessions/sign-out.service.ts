import type { Knex } from 'knex';
import type { ArtifactRepository } from './artifact.repository.js';
import type { UserGrant } from './artifact.js';
import type { LogoutNotice, LogoutNotices, LogoutNoticeStatus } from './logout-notices.js';
import type { RevocationReason } from './revocation-reasons.js';

/** Revokes what the provider keeps for one grant (access tokens, codes, the grant itself). */
export type GrantRevoker = (grantId: string) => Promise<void>;

export interface SignOutReport {
  sessions_ended: number;
  grants_revoked: { client_id: string; client_kind: string | null; client_name: string | null; refresh_tokens_revoked: number }[];
  /** The apps told over their back-channel logout URI, and whether they took it. */
  logout_notices: { client_id: string; client_name: string | null; status: LogoutNoticeStatus; reason?: string }[];
}

/**
 * Signs a user out everywhere: every browser session, every grant and every refresh token of
 * every client, at once. Refresh tokens stay behind as tombstones with the reason, so the
 * mobile app or downloader presenting one is told why; `tokens_valid_after` refuses anything
 * that escaped (tokens are checked against it on every use). Web apps that registered a
 * back-channel logout URI are sent a logout token, so their own sessions end too.
 */
export class SignOutService {
  /** The logout tokens queued for a report, per app, until `withNoticeOutcomes` reads them. */
  private readonly queued = new WeakMap<SignOutReport, { clientId: string; jobIds: string[] }[]>();

  constructor(
    private readonly knex: Knex,
    private readonly artifacts: ArtifactRepository,
    private readonly revokeGrant: GrantRevoker,
    private readonly logoutNotices?: LogoutNotices,
  ) {}

  async signOutEverywhere(userId: string, reason: RevocationReason): Promise<SignOutReport> {
    const counts = await this.artifacts.liveRefreshTokensPerGrant(userId);
    const grants = await this.artifacts.grantsOf(userId);
    // Read before the sessions go: they say which session of each app to end.
    const sessionIds = await this.artifacts.sessionIdsPerClient(userId);

    // Whole seconds: token `iat` has second precision, and a sign-in in the same second as the
    // cut must not be refused.
    const cut = new Date(Math.floor(Date.now() / 1000) * 1000);
    const sessionsEnded = await this.knex.transaction(async (trx): Promise<number> => {
      await trx('users').where({ id: userId }).update({ tokens_valid_after: cut, tokens_revoked_reason: reason, updated_at: trx.fn.now() });
      const artifacts = this.artifacts.within(trx);
      await artifacts.tombstoneRefreshTokensOf(userId, reason);
      return artifacts.deleteSessionsOf(userId);
    });
    for (const grant of grants) await this.revokeGrant(grant.grant_id);

    const notified = await this.notifyApps(userId, grants, sessionIds);
    const report: SignOutReport = {
      sessions_ended: sessionsEnded,
      grants_revoked: grants.map((g) => ({ client_id: g.client_id, client_kind: g.client_kind, client_name: g.client_name, refresh_tokens_revoked: counts.get(g.grant_id) ?? 0 })),
      logout_notices: notified.map((n) => ({ client_id: n.clientId, client_name: n.clientName, status: 'queued' })),
    };
    this.queued.set(report, notified);
    return report;
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
