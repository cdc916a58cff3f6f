import type { Knex } from 'knex';

export type ClientKind = 'web' | 'mobile' | 'downloader' | 'integration';
export const CLIENT_KINDS: readonly ClientKind[] = ['web', 'mobile', 'downloader', 'integration'];

export interface ClientRecord {
  client_id: string;
  /** null: operator-owned (the vendor's own apps, for every tenant's people). */
  tenant_id: string | null;
  kind: ClientKind;
  name: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  scopes: string;
  secret_hash: string | null;
  previous_secret_hash: string | null;
  previous_secret_expires_at: Date | null;
  is_operator: boolean;
  created_at: Date;
  updated_at: Date;
}

export type NewClient = Pick<ClientRecord, 'client_id' | 'tenant_id' | 'kind' | 'name' | 'scopes'> &
  Partial<Pick<ClientRecord, 'redirect_uris' | 'post_logout_redirect_uris' | 'secret_hash' | 'is_operator'>>;

/** Secret-bearing kinds authenticate at the token endpoint; the others are public (PKCE, device). */
export function isConfidentialKind(kind: ClientKind): boolean {
  return kind === 'web' || kind === 'integration';
}

export class ClientRepository {
  constructor(private readonly knex: Knex) {}

  async findById(clientId: string): Promise<ClientRecord | undefined> {
    return this.knex<ClientRecord>('clients').where({ client_id: clientId }).first();
  }

  /** Inserts, or refreshes the definition of, a client (seeding and bootstrap are idempotent). */
  async upsert(client: NewClient): Promise<void> {
    const row = {
      ...client,
      redirect_uris: JSON.stringify(client.redirect_uris ?? []),
      post_logout_redirect_uris: JSON.stringify(client.post_logout_redirect_uris ?? []),
    };
    await this.knex('clients')
      .insert(row)
      .onConflict('client_id')
      .merge({ ...row, updated_at: this.knex.fn.now() });
  }

  /** Coalesced by the caller: at most one write a minute per client. */
  async recordUse(clientId: string, usedPrevious: boolean, at: Date): Promise<void> {
    await this.knex('clients')
      .where({ client_id: clientId })
      .update(usedPrevious ? { last_used_at: at, previous_secret_last_used_at: at } : { last_used_at: at, secret_last_used_at: at });
  }
}
