import type { Knex } from 'knex';
import type { ClientTokenActivity } from '../sessions/artifact.js';
import type { ArtifactRepository } from '../sessions/artifact.repository.js';

export type UserTokenSummary = ClientTokenActivity;

export interface ClientSummary {
  client_id: string;
  kind: string;
  name: string;
  last_used_at: Date | null;
  previous_secret_expires_at: Date | null;
}

/** The provider's stored grants and refresh tokens, and clients, as the diagnosis reads them. */
export class DiagnosisRepository {
  constructor(
    private readonly knex: Knex,
    private readonly artifacts: ArtifactRepository,
  ) {}

  /** Per client of the user: their refresh tokens and grants, summed up (see ArtifactRepository). */
  async tokensOf(userId: string, cut: Date | null): Promise<UserTokenSummary[]> {
    return this.artifacts.tokenActivityPerClient(userId, cut);
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
