import type { Knex } from 'knex';

export interface UserTokenSummary {
  client_id: string;
  active_refresh_tokens: number;
  last_token_at: Date | null;
  revoked_at_cut: number;
  signed_in_since_cut: boolean;
}

export interface ClientSummary {
  client_id: string;
  kind: string;
  name: string;
  last_used_at: Date | null;
  previous_secret_expires_at: Date | null;
}

/** The provider's stored grants and refresh tokens, and clients, as the diagnosis reads them. */
export class DiagnosisRepository {
  constructor(private readonly knex: Knex) {}

  /**
   * Per client of the user: live refresh tokens, the newest token or grant (refreshes rotate, so
   * it is the last success), how many live tokens the cut at `cut` revoked, and whether the user
   * signed in to it again after (a new grant). Grants and refresh tokens always live in PostgreSQL.
   */
  async tokensOf(userId: string, cut: Date | null): Promise<UserTokenSummary[]> {
    const since = cut ?? 'infinity';
    const rows = await this.knex('oidc_artifacts')
      .where({ account_id: userId })
      .whereIn('type', ['RefreshToken', 'Grant'])
      .whereNotNull('client_id')
      .groupBy('client_id')
      .select(
        'client_id',
        this.knex.raw(`count(*) filter (where type = 'RefreshToken' and consumed_at is null and revoked_at is null and expires_at > now()) as active_refresh_tokens`),
        this.knex.raw('max(created_at) as last_token_at'),
        this.knex.raw(`count(*) filter (where type = 'RefreshToken' and consumed_at is null and revoked_at >= ?::timestamptz) as revoked_at_cut`, [since]),
        this.knex.raw(`coalesce(bool_or(type = 'Grant' and created_at >= ?::timestamptz), false) as signed_in_since_cut`, [since]),
      );
    return rows.map((row) => ({
      client_id: row.client_id,
      active_refresh_tokens: Number(row.active_refresh_tokens),
      last_token_at: row.last_token_at ? new Date(row.last_token_at) : null,
      revoked_at_cut: Number(row.revoked_at_cut),
      signed_in_since_cut: Boolean(row.signed_in_since_cut),
    }));
  }

  async clients(clientIds: readonly string[]): Promise<ClientSummary[]> {
    if (!clientIds.length) return [];
    return this.knex('clients').select('client_id', 'kind', 'name', 'last_used_at', 'previous_secret_expires_at').whereIn('client_id', clientIds);
  }

  /** A tenant's integrations: no user signs in to them, but their administrators answer for them. */
  async integrationsOf(tenantId: string): Promise<ClientSummary[]> {
    return this.knex('clients').select('client_id', 'kind', 'name', 'last_used_at', 'previous_secret_expires_at').where({ tenant_id: tenantId, kind: 'integration' }).limit(50);
  }
}
