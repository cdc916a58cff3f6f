import type { Knex } from 'knex';
import Provider, { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { revocationMessage } from '../../../domain/sessions/revocation-reasons.js';
import { readableInvalidGrant } from '../readable-refusal.js';
import { deferConsume, takePendingConsume } from './pending-consume.js';

const COLUMNS = 'payload, consumed_at, revoked_at, revoked_reason, account_id';
const FIND_SQL = `SELECT ${COLUMNS} FROM oidc_artifacts WHERE type = ? AND id = ? AND (expires_at IS NULL OR expires_at > now())`;
const CONSUME_SQL = 'UPDATE oidc_artifacts SET consumed_at = now() WHERE type = ? AND id = ? AND consumed_at IS NULL';
const ON_CONFLICT = `ON CONFLICT (type, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, user_code = EXCLUDED.user_code,
    uid = EXCLUDED.uid, account_id = EXCLUDED.account_id, client_id = EXCLUDED.client_id, expires_at = EXCLUDED.expires_at`;
const INSERT_COLUMNS = 'INSERT INTO oidc_artifacts (type, id, payload, grant_id, user_code, uid, account_id, client_id, expires_at)';
const UPSERT_SQL = `${INSERT_COLUMNS} VALUES (?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?) ${ON_CONFLICT}`;
const ROTATE_SQL = `WITH consumed AS (
    UPDATE oidc_artifacts SET consumed_at = now() WHERE type = ? AND id = ? AND consumed_at IS NULL RETURNING 1
  )
  ${INSERT_COLUMNS} SELECT ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?::timestamptz WHERE EXISTS (SELECT 1 FROM consumed) ${ON_CONFLICT}`;

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
  /**
   * RefreshToken only: `consume` at the token endpoint is carried out by the write of the
   * rotated token that follows it, saving a round trip per refresh (see pending-consume.ts).
   */
  consumeWithRotation?: boolean;
}

/** oidc-provider artifacts of one model in the `oidc_artifacts` table. */
export class PostgresArtifactAdapter implements Adapter {
  constructor(
    private readonly type: string,
    private readonly knex: Knex,
    private readonly options: PostgresAdapterOptions = {},
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const values = [
      this.type,
      id,
      JSON.stringify(payload),
      payload.grantId ?? null,
      payload.userCode ?? null,
      payload.uid ?? null,
      payload.accountId ?? null,
      payload.clientId ?? null,
      expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
    ];
    const rotated = this.options.consumeWithRotation ? takePendingConsume(Provider.ctx) : undefined;
    if (rotated === undefined) {
      // Plain SQL on the hottest path (every refresh writes a token): no query builder per request.
      await this.knex.raw(UPSERT_SQL, values);
      return;
    }
    // One round trip for a rotation: the old token is consumed only if it still was not, and the
    // new one is written only if that happened. Of parallel refreshes with one token, one wins.
    const { rowCount } = await this.knex.raw<{ rowCount: number }>(ROTATE_SQL, [this.type, rotated, ...values]);
    if (rowCount === 0) throw new errors.InvalidGrant(`${describe(this.type)} was already used`);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const { rows } = await this.knex.raw<{ rows: ArtifactRow[] }>(FIND_SQL, [this.type, id]);
    const row = rows[0];
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
    const ctx = Provider.ctx;
    if (this.options.consumeWithRotation && ctx?.oidc?.route === 'token') {
      // The refresh grant saves the rotated token right after: consume together with that write.
      deferConsume(ctx, { knex: this.knex, type: this.type, id });
      return;
    }
    const { rowCount } = await this.knex.raw<{ rowCount: number }>(CONSUME_SQL, [this.type, id]);
    if (rowCount === 0) throw new errors.InvalidGrant(`${describe(this.type)} was already used`);
  }

  async destroy(id: string): Promise<void> {
    await this.knex('oidc_artifacts').where({ type: this.type, id }).delete();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.knex('oidc_artifacts').where({ type: this.type, grant_id: grantId }).delete();
  }

  private live() {
    return this.knex('oidc_artifacts')
      .select(this.knex.raw(COLUMNS))
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
