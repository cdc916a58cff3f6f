import Provider, { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { ArtifactWrite, StoredArtifact } from '../../../domain/sessions/artifact.js';
import type { ArtifactRepository } from '../../../domain/sessions/artifact.repository.js';
import type { UserRecord } from '../../../domain/users/user.js';
import { userFromJson } from '../../../domain/users/user.repository.js';
import { judgeChain, withinRetryWindow, type ChainVerdict } from '../../../domain/sessions/refresh-chain.js';
import { readableInvalidGrant } from '../readable-refusal.js';
import { REFUSAL_WORDING, revocationMessage } from '../refusal-wording.js';
import { alreadyUsedDetail } from '../token-refusals.js';
import { answerWith, deferConsume, markRetry, presentedRefreshToken, rememberPresented, retryOf, takePendingConsume } from './refresh-rotation.js';

export interface PostgresAdapterOptions {
  /**
   * RefreshToken only: rotations are chains. The consume at the token endpoint is carried out
   * by the write of the rotated token that follows it (one round trip per refresh, with the
   * chain's revocation checked in it), and a token presented again within the retry window of
   * its rotation is answered with the chain's current token (see refresh-rotation.ts).
   */
  refreshChains?: boolean;
  /**
   * DeviceCode: an expired code is still found (until the cleanup deletes it), so the provider
   * answers a device that polls too late with `expired_token` (RFC 8628 §3.5), not as unknown.
   */
  findExpired?: boolean;
  /**
   * RefreshToken: a refresh token is read together with its grant (one round trip), and the
   * grant handed here, so the provider's look-up of the grant that follows finds it in memory.
   */
  onGrantRead?: (grantId: string, payload: AdapterPayload) => void;
  /**
   * RefreshToken only: the token's user, read in the same round trip (undefined when gone), so
   * the provider's account look-up that follows finds it in memory.
   */
  onUserRead?: (accountId: string, user: UserRecord | undefined) => void;
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
    const ctx = this.options.refreshChains ? Provider.ctx : undefined;
    const current = retryOf(ctx);
    if (ctx && current !== undefined) {
      // A retry: the chain already has its current token; the provider's new one is not written.
      answerWith(ctx, current);
      return;
    }
    const rotated = takePendingConsume(ctx);
    if (!ctx || rotated === undefined) {
      await this.artifacts.upsert(this.type, id, artifact);
      return;
    }
    const chainStarted = Number(payload.iiat ?? payload.iat ?? Math.floor(Date.now() / 1000));
    if (await this.artifacts.rotateRefreshToken(rotated, id, artifact, chainStarted)) return;
    // Not rotated: another request of the app rotated it first (it gets the same answer), or the
    // chain was revoked meanwhile (it is told why).
    const verdict = judgeChain(await this.artifacts.refreshChain(rotated));
    if (verdict.kind !== 'current') throw refusal(verdict);
    answerWith(ctx, verdict.tokenId);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const row = await this.read(id);
    if (!row) return undefined;
    if (row.revoked_at) return this.refuseRevoked(row.revoked_reason, row.account_id);
    if (!this.options.refreshChains) return withConsumed(row);
    const ctx = Provider.ctx;
    if (ctx?.oidc?.route === 'token') rememberPresented(ctx, id);
    if (!row.consumed_at || !withinRetryWindow(row.consumed_at)) return withConsumed(row);
    // Rotated moments ago. Elsewhere (introspection, revocation) it is simply inactive.
    if (ctx?.oidc?.route !== 'token') return undefined;
    const verdict = judgeChain(await this.artifacts.refreshChain(id));
    if (verdict.kind !== 'current') throw refusal(verdict, row.account_id);
    // Handed to the provider as if unused, so it checks the client, grant and account as for
    // any refresh; the answer then carries the chain's current token (see `upsert`).
    markRetry(ctx, verdict.tokenId);
    return row.payload as AdapterPayload;
  }

  private async read(id: string): Promise<StoredArtifact | undefined> {
    const onGrantRead = this.options.onGrantRead;
    if (!onGrantRead) return this.artifacts.find(this.type, id, { expiredToo: this.options.findExpired });
    const row = await this.artifacts.findRefreshToken(id);
    const grantId = (row?.payload as AdapterPayload | undefined)?.grantId;
    if (row?.grant_payload && grantId) onGrantRead(grantId, row.grant_payload as AdapterPayload);
    if (row?.account_id) this.options.onUserRead?.(row.account_id, userFromJson(row.user_row));
    return row;
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
    if (this.options.refreshChains && ctx?.oidc?.route === 'token') {
      // A retry consumes nothing (the token was consumed by its first answer). Otherwise the
      // refresh grant saves the rotated token right after: consume together with that write.
      if (retryOf(ctx) === undefined) deferConsume(ctx, id);
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
}

/** Why a chain cannot go on, as the app is told. */
export function refusal(verdict: Exclude<ChainVerdict, { kind: 'current' }>, accountId?: string | null) {
  switch (verdict.kind) {
    case 'revoked':
      return readableInvalidGrant(revocationMessage(verdict.reason), { reason: verdict.reason, accountId });
    case 'ended':
      return readableInvalidGrant(REFUSAL_WORDING.grant_revoked, { reason: 'grant_revoked', accountId });
    case 'expired':
      return readableInvalidGrant(REFUSAL_WORDING.refresh_token_expired, { reason: 'refresh_token_expired', accountId });
    case 'unknown':
      return readableInvalidGrant(REFUSAL_WORDING.refresh_token_invalid, { reason: 'refresh_token_invalid', accountId });
  }
}

function withConsumed(row: StoredArtifact): AdapterPayload {
  const payload = row.payload as AdapterPayload;
  return row.consumed_at ? { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : payload;
}

/**
 * The Grant adapter, for refreshes: a grant that is gone because its user was signed out
 * elsewhere is refused with that reason ("the password was changed by an administrator"), not
 * as a bare "the sign-in was ended".
 */
export function explainMissingGrant(grants: Adapter, artifacts: ArtifactRepository): Adapter {
  return new Proxy(grants, {
    get(target, property, receiver) {
      if (property !== 'find') return Reflect.get(target, property, receiver);
      return async (id: string) => {
        const grant = await target.find(id);
        const presented = grant ? undefined : presentedRefreshToken(Provider.ctx);
        if (presented === undefined) return grant;
        const verdict = judgeChain(await artifacts.refreshChain(presented));
        if (verdict.kind === 'revoked') throw refusal(verdict);
        return grant;
      };
    },
  });
}
