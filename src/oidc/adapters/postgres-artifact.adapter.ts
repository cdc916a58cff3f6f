import type { Knex } from 'knex';
import Provider, { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { revocationMessage } from '../../sessions/revocation-reasons.js';
import { readableInvalidGrant } from '../readable-refusal.js';

interface ArtifactRow {
  payload: AdapterPayload;
  consumed_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
  account_id: string | null;
}

export interface PostgresAdapterOptions {
  /**
   * RefreshToken only: for this long after a rotation the old token is refused without revoking
   * the grant, so an app that retries or sends one refresh from two threads keeps its chain.
   */
  reuseGraceMs?: number;
}

/** oidc-provider artifacts of one model in the `oidc_artifacts` table. */
export class PostgresArtifactAdapter implements Adapter {
  constructor(
    private readonly type: string,
    private readonly knex: Knex,
    private readonly options: PostgresAdapterOptions = {},
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const row = {
      type: this.type,
      id,
      payload: JSON.stringify(payload),
      grant_id: payload.grantId ?? null,
      user_code: payload.userCode ?? null,
      uid: payload.uid ?? null,
      account_id: payload.accountId ?? null,
      client_id: payload.clientId ?? null,
      expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
    };
    await this.knex('oidc_artifacts').insert(row).onConflict(['type', 'id']).merge();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const row = await this.live().where({ id }).first<ArtifactRow | undefined>();
    if (!row) return undefined;
    if (row.revoked_at) return this.refuseRevoked(row.revoked_reason, row.account_id);
    if (row.consumed_at && this.options.reuseGraceMs && Date.now() - row.consumed_at.getTime() < this.options.reuseGraceMs) {
      return this.refuseWithinGrace(row.account_id);
    }
    return withConsumed(row);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const row = await this.live().where({ uid }).first<ArtifactRow | undefined>();
    return row && withConsumed(row);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const row = await this.live().where({ user_code: userCode }).first<ArtifactRow | undefined>();
    return row && withConsumed(row);
  }

  /**
   * Atomic: of several requests presenting the same code or refresh token at once, exactly one
   * consumes it; the others are refused (the provider itself checks, then consumes).
   */
  async consume(id: string): Promise<void> {
    const updated = await this.knex('oidc_artifacts')
      .where({ type: this.type, id })
      .whereNull('consumed_at')
      .update({ consumed_at: this.knex.fn.now() });
    if (updated === 0) throw new errors.InvalidGrant(`${describe(this.type)} was already used`);
  }

  async destroy(id: string): Promise<void> {
    await this.knex('oidc_artifacts').where({ type: this.type, id }).delete();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.knex('oidc_artifacts').where({ type: this.type, grant_id: grantId }).delete();
  }

  private live() {
    return this.knex('oidc_artifacts')
      .select('payload', 'consumed_at', 'revoked_at', 'revoked_reason', 'account_id')
      .where({ type: this.type })
      .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', this.knex.fn.now()));
  }

  /** A tombstone left by sign-out everywhere: at the token endpoint, say why. */
  private refuseRevoked(reason: string | null, accountId: string | null): undefined {
    if (Provider.ctx?.oidc?.route === 'token') throw readableInvalidGrant(revocationMessage(reason), { reason: reason ?? 'revoked', accountId });
    return undefined;
  }

  private refuseWithinGrace(accountId: string | null): undefined {
    // At the token endpoint say why; elsewhere (introspection, revocation) it is simply inactive.
    if (Provider.ctx?.oidc?.route === 'token') {
      throw readableInvalidGrant('refresh token was already rotated moments ago; use the newest refresh token', { reason: 'refresh_token_rotated_moments_ago', accountId });
    }
    return undefined;
  }
}

function withConsumed(row: ArtifactRow): AdapterPayload {
  return row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
}

function describe(type: string): string {
  return type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
