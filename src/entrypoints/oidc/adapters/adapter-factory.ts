import type { Redis } from 'ioredis';
import type { Adapter } from 'oidc-provider';
import type { ArtifactRepository } from '../../../domain/sessions/artifact.repository.js';
import type { ClientAdapter } from './client.adapter.js';
import { cacheReads } from './cached-reads.adapter.js';
import { PostgresArtifactAdapter, type PostgresAdapterOptions } from './postgres-artifact.adapter.js';
import { RedisArtifactAdapter } from './redis-artifact.adapter.js';

/** Artifacts that must outlive a restart or a Redis flush: always in PostgreSQL. */
const DURABLE_MODELS = new Set(['Grant', 'RefreshToken', 'DeviceCode', 'Session']);

export const REFRESH_TOKEN_REUSE_GRACE_MS = 10_000;
const POSTGRES_OPTIONS: Record<string, PostgresAdapterOptions> = {
  RefreshToken: { reuseGraceMs: REFRESH_TOKEN_REUSE_GRACE_MS, consumeWithRotation: true },
  DeviceCode: { findExpired: true },
};

/** Grants are read on every refresh and change rarely (see cached-reads.adapter.ts). */
const GRANT_CACHE_TTL_MS = 5_000;

export interface AdapterDependencies {
  artifacts: ArtifactRepository;
  redis?: Redis;
  clients: ClientAdapter;
  /** Wraps the DeviceCode adapter (polling pace); identity when absent. */
  decorateDeviceCode?: (adapter: Adapter) => Adapter;
}

/** Picks where each oidc-provider model lives. */
export function createAdapterFactory(deps: AdapterDependencies): (name: string) => Adapter {
  return (name) => {
    if (name === 'Client') return deps.clients;
    let adapter: Adapter =
      DURABLE_MODELS.has(name) || !deps.redis
        ? new PostgresArtifactAdapter(name, deps.artifacts, POSTGRES_OPTIONS[name] ?? {})
        : new RedisArtifactAdapter(name, deps.redis);
    if (name === 'DeviceCode' && deps.decorateDeviceCode) adapter = deps.decorateDeviceCode(adapter);
    if (name === 'Grant') adapter = cacheReads(adapter, GRANT_CACHE_TTL_MS);
    return adapter;
  };
}
