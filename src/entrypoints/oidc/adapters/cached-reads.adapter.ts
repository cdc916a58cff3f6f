import type { Adapter, AdapterPayload } from 'oidc-provider';

const MAX_ENTRIES = 50_000;

/**
 * Keeps a model's payloads in memory for a few seconds after they are read or written. For
 * grants: every refresh looks its grant up, and a grant changes only when it is created,
 * extended or revoked. Writes and revocations on this replica invalidate at once; on another
 * replica a revoked grant can linger here for the TTL. That never lets a refresh through: the
 * rotation itself checks in PostgreSQL, in its one statement, that the grant still exists and
 * the user was not signed out (see ArtifactRepository.rotateRefreshToken).
 */
export interface CachedReads extends Adapter {
  /** A payload just read elsewhere in the same round trip (a refresh token's grant): kept as if read here. */
  prime(id: string, payload: AdapterPayload): void;
}

export function cacheReads(adapter: Adapter, ttlMs: number): CachedReads {
  // Kept as JSON text: each hit parses its own copy (the provider builds its model objects from
  // the payload and may change them), a third of the cost of a structuredClone.
  const cache = new Map<string, { text: string; until: number }>();
  const remember = (id: string, payload: AdapterPayload) => {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(id, { text: JSON.stringify(payload), until: Date.now() + ttlMs });
  };
  return {
    async find(id) {
      const hit = cache.get(id);
      if (hit && hit.until > Date.now()) return JSON.parse(hit.text) as AdapterPayload;
      const payload = (await adapter.find(id)) ?? undefined;
      // Misses are not cached: a grant created on another replica must be found at once.
      if (payload) remember(id, payload);
      return payload;
    },
    async upsert(id, payload, expiresIn) {
      cache.delete(id);
      await adapter.upsert(id, payload, expiresIn);
      remember(id, payload);
    },
    async destroy(id) {
      cache.delete(id);
      await adapter.destroy(id);
    },
    async consume(id) {
      cache.delete(id);
      await adapter.consume(id);
    },
    async revokeByGrantId(grantId) {
      cache.clear();
      await adapter.revokeByGrantId(grantId);
    },
    prime(id, payload) {
      remember(id, payload);
    },
    findByUid: (uid) => adapter.findByUid(uid),
    findByUserCode: (userCode) => adapter.findByUserCode(userCode),
  };
}
