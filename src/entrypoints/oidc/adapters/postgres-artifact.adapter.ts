import Provider, { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { ArtifactWrite, StoredArtifact } from '../../../domain/sessions/artifact.js';
import type { ArtifactRepository } from '../../../domain/sessions/artifact.repository.js';
import { readableInvalidGrant } from '../readable-refusal.js';
import { REFUSAL_WORDING, revocationMessage } from '../refusal-wording.js';
import { alreadyUsedDetail } from '../token-refusals.js';
import { deferConsume, takePendingConsume } from './pending-consume.js';

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
  /**
   * DeviceCode: an expired code is still found (until the cleanup deletes it), so the provider
   * answers a device that polls too late with `expired_token` (RFC 8628 §3.5), not as unknown.
   */
  findExpired?: boolean;
}

/** oidc-provider artifacts of one model, stored in PostgreSQL through the artifact repository. */
export class PostgresArtifactAdapter implements Adapter {
  constructor(
    private readonly type: string,
    private readonly artifacts: ArtifactRepository,
    private readonly options: PostgresAdapterOptions = {},
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const artifact: ArtifactWrite = {
      payload,
      grantId: payload.grantId ?? null,
      userCode: payload.userCode ?? null,
      uid: payload.uid ?? null,
      accountId: payload.accountId ?? null,
      clientId: payload.clientId ?? null,
      expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
    };
    const rotated = this.options.consumeWithRotation ? takePendingConsume(Provider.ctx) : undefined;
    if (rotated === undefined) {
      await this.artifacts.upsert(this.type, id, artifact);
      return;
    }
    // One round trip for a rotation: the old token is consumed only if it still was not, and the
    // new one is written only if that happened. Of parallel refreshes with one token, one wins.
    if (!(await this.artifacts.rotate(this.type, rotated, id, artifact))) throw new errors.InvalidGrant(alreadyUsedDetail(this.type));
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const row = await this.artifacts.find(this.type, id, { expiredToo: this.options.findExpired });
    if (!row) return undefined;
    if (row.revoked_at) return this.refuseRevoked(row.revoked_reason, row.account_id);
    if (row.consumed_at && this.options.reuseGraceMs && Date.now() - row.consumed_at.getTime() < this.options.reuseGraceMs) {
      return this.refuseWithinGrace(row.account_id);
    }
    return withConsumed(row);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const row = await this.artifacts.findByUid(this.type, uid);
    return row && withConsumed(row);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const row = await this.artifacts.findByUserCode(this.type, userCode);
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
      deferConsume(ctx, { artifacts: this.artifacts, type: this.type, id });
      return;
    }
    if (!(await this.artifacts.consume(this.type, id))) throw new errors.InvalidGrant(alreadyUsedDetail(this.type));
  }

  async destroy(id: string): Promise<void> {
    await this.artifacts.destroy(this.type, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.artifacts.deleteByGrantId(this.type, grantId);
  }

  /** A tombstone left by sign-out everywhere: at the token endpoint, say why. */
  private refuseRevoked(reason: string | null, accountId: string | null): undefined {
    if (Provider.ctx?.oidc?.route === 'token') throw readableInvalidGrant(revocationMessage(reason), { reason: reason ?? 'revoked', accountId });
    return undefined;
  }

  private refuseWithinGrace(accountId: string | null): undefined {
    // At the token endpoint say why; elsewhere (introspection, revocation) it is simply inactive.
    if (Provider.ctx?.oidc?.route === 'token') {
      throw readableInvalidGrant(REFUSAL_WORDING.refresh_token_rotated_moments_ago, { reason: 'refresh_token_rotated_moments_ago', accountId });
    }
    return undefined;
  }
}

function withConsumed(row: StoredArtifact): AdapterPayload {
  const payload = row.payload as AdapterPayload;
  return row.consumed_at ? { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : payload;
}
