import type { Knex } from 'knex';

export interface ActiveGrant {
  client_id: string;
  client_kind: string | null;
  client_name: string | null;
  created_at: string;
  last_used_at: string;
  active_refresh_tokens: number;
}

/**
 * Which apps a user is signed in to: their live grants per client, with when each began and
 * was last used (every refresh rotates the token, so the newest refresh token tells).
 */
export class SessionViewService {
  constructor(private readonly knex: Knex) {}

  async activeGrants(userId: string): Promise<ActiveGrant[]> {
    const rows = await this.knex('oidc_artifacts as g')
      .leftJoin('clients as c', 'c.client_id', 'g.client_id')
      .leftJoin('oidc_artifacts as r', (join) => {
        join.on('r.grant_id', '=', 'g.id').andOn('r.type', '=', this.knex.raw('?', ['RefreshToken']));
      })
      .where({ 'g.type': 'Grant', 'g.account_id': userId })
      .andWhere('g.expires_at', '>', this.knex.fn.now())
      .groupBy('g.id', 'g.client_id', 'g.created_at', 'c.kind', 'c.name')
      .select(
        'g.client_id',
        'c.kind as client_kind',
        'c.name as client_name',
        'g.created_at',
        this.knex.raw('greatest(g.created_at, max(r.created_at)) as last_used_at'),
        this.knex.raw(`count(r.id) filter (where r.consumed_at is null and r.revoked_at is null and r.expires_at > now()) as active_refresh_tokens`),
      )
      .orderBy('last_used_at', 'desc');
    return rows.map((row) => ({
      client_id: row.client_id,
      client_kind: row.client_kind ?? null,
      client_name: row.client_name ?? null,
      created_at: new Date(row.created_at).toISOString(),
      last_used_at: new Date(row.last_used_at).toISOString(),
      active_refresh_tokens: Number(row.active_refresh_tokens),
    }));
  }
}
