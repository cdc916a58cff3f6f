import type { Knex } from 'knex';
import { keysetPage, type Position } from '../../infrastructure/storage/keyset.js';
import { ArtifactRepository } from '../sessions/artifact.repository.js';

export type ClientKind = 'web' | 'mobile' | 'downloader' | 'integration';
export const CLIENT_KINDS: readonly ClientKind[] = ['web', 'mobile', 'downloader', 'integration'];

/** How a client authenticates at the token endpoint (public kinds: `none`). */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
export type AccessTokenFormat = 'opaque' | 'jwt';

/** An API (RFC 8707 resource indicator) the client may ask access tokens for, with the scopes it defines. */
export interface ClientResource {
  uri: string;
  scopes: string[];
}

/** What a relying party registers beside its redirect URIs (see client-settings.ts for the rules). */
export interface ClientSettings {
  post_logout_redirect_uris: string[];
  backchannel_logout_uri: string | null;
  /** Where the application's sign-in starts (OpenID Connect initiate_login_uri): the way back from an error page. */
  initiate_login_uri: string | null;
  /** The application's home page (client_uri): the way back when it registers no sign-in URL. */
  client_uri: string | null;
  /** null: the kind's default (client_secret_basic for confidential kinds, none for public ones). */
  token_endpoint_auth_method: TokenEndpointAuthMethod | null;
  /** Public keys for private_key_jwt. */
  jwks: { keys: Record<string, unknown>[] } | null;
  /** null: RS256. */
  id_token_signed_response_alg: string | null;
  default_max_age: number | null;
  require_auth_time: boolean;
  /** Confidential clients only: public ones always use PKCE. */
  require_pkce: boolean;
  /** Format of the access tokens issued for the client's resources (tokens for userinfo stay opaque). */
  access_token_format: AccessTokenFormat;
  resources: ClientResource[];
}

/** Settings stored as JSON. */
const JSON_SETTINGS = ['redirect_uris', 'post_logout_redirect_uris', 'jwks', 'resources'] as const;

export interface ClientRecord extends ClientSettings {
  client_id: string;
  /** null: operator-owned (the vendor's own apps, for every tenant's people). */
  tenant_id: string | null;
  kind: ClientKind;
  name: string;
  redirect_uris: string[];
  scopes: string;
  secret_hash: string | null;
  previous_secret_hash: string | null;
  previous_secret_expires_at: Date | null;
  is_operator: boolean;
  created_at: Date;
  updated_at: Date;
}

export type NewClient = Pick<ClientRecord, 'client_id' | 'tenant_id' | 'kind' | 'name' | 'scopes'> &
  Partial<Pick<ClientRecord, 'redirect_uris' | 'secret_hash' | 'is_operator'>> &
  Partial<ClientSettings>;

/** What an administrator may change after creation. */
export type ClientUpdate = Partial<Pick<ClientRecord, 'name' | 'redirect_uris' | 'scopes'> & ClientSettings>;

/** A client row with the secret and usage times the admin API shows (never the digests' values). */
export interface ClientRecordWithUsage extends ClientRecord {
  secret_created_at: Date | null;
  secret_last_used_at: Date | null;
  previous_secret_last_used_at: Date | null;
  last_used_at: Date | null;
}

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
    const row = asRow({ redirect_uris: [], post_logout_redirect_uris: [], ...client });
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

  /** A tenant's client; undefined for another tenant's or an operator-owned one. */
  async findInTenant(tenantId: string, clientId: string): Promise<ClientRecordWithUsage | undefined> {
    return this.knex<ClientRecordWithUsage>('clients').where({ tenant_id: tenantId, client_id: clientId }).first();
  }

  /** One page of a tenant's clients in creation order. */
  async listInTenant(tenantId: string, options: { limit: number; after?: Position }): Promise<ClientRecordWithUsage[]> {
    return keysetPage(this.knex<ClientRecordWithUsage>('clients').where({ tenant_id: tenantId }), { idColumn: 'client_id', limit: options.limit, after: options.after });
  }

  async insert(client: NewClient & { secret_created_at?: Date | null }): Promise<ClientRecordWithUsage> {
    const [row] = await this.knex<ClientRecordWithUsage>('clients')
      .insert(asRow({ redirect_uris: [], post_logout_redirect_uris: [], ...client }) as never)
      .returning('*');
    return row!;
  }

  /** undefined when the client no longer exists. */
  async update(clientId: string, changes: ClientUpdate): Promise<ClientRecordWithUsage | undefined> {
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const [row] = await this.knex<ClientRecordWithUsage>('clients')
      .where({ client_id: clientId })
      .update({ ...asRow(defined), updated_at: this.knex.fn.now() } as never)
      .returning('*');
    return row;
  }

  /**
   * The current secret becomes the previous one, accepted until `previousExpiresAt`; the new
   * digest becomes current. One statement (the right-hand sides read the old row), so two
   * rotations racing cannot lose a secret half-way. undefined when the client no longer exists.
   */
  async rotateSecret(clientId: string, newSecretHash: string, previousExpiresAt: Date): Promise<ClientRecordWithUsage | undefined> {
    const now = new Date();
    const [row] = await this.knex<ClientRecordWithUsage>('clients')
      .where({ client_id: clientId })
      .update({
        previous_secret_hash: this.knex.raw('??', ['secret_hash']) as never,
        previous_secret_last_used_at: this.knex.raw('??', ['secret_last_used_at']) as never,
        previous_secret_expires_at: previousExpiresAt,
        secret_hash: newSecretHash,
        secret_created_at: now,
        secret_last_used_at: null,
        updated_at: now,
      })
      .returning('*');
    return row;
  }

  /**
   * Deletes a client with every artifact PostgreSQL holds for it (grants, refresh tokens, device
   * codes, and short-lived tokens when there is no Redis), in one transaction so nothing of the
   * client is left usable. Returns how many artifacts went.
   */
  async deleteWithArtifacts(clientId: string): Promise<{ deleted: boolean; artifacts: number }> {
    return this.knex.transaction(async (trx) => {
      const artifacts = await new ArtifactRepository(trx).deleteOfClient(clientId);
      const deleted = await trx('clients').where({ client_id: clientId }).del();
      return { deleted: deleted > 0, artifacts };
    });
  }
}

/** JSON columns are written as JSON text: the driver would make a PostgreSQL array of a JS array. */
function asRow<T extends Record<string, unknown>>(values: T): Record<string, unknown> {
  const row: Record<string, unknown> = { ...values };
  for (const column of JSON_SETTINGS) {
    if (row[column] !== undefined) row[column] = row[column] === null ? null : JSON.stringify(row[column]);
  }
  return row;
}
