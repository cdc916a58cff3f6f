import type { Adapter } from 'oidc-provider';
import type { RedisGate } from '../../../infrastructure/storage/redis.js';
import type { ArtifactRepository } from '../../../domain/sessions/artifact.repository.js';
import type { ClientAdapter } from './client.adapter.js';
import { cacheReads } from './cached-reads.adapter.js';
import { explainMissingGrant, PostgresArtifactAdapter } from './postgres-artifact.adapter.js';
import { readOncePerRequest } from './once-per-request.adapter.js';
import { RedisArtifactAdapter } from './redis-artifact.adapter.js';
import { failFast } from '../unavailable.js';
import type { RecentUsers } from '../recent-users.js';
import { SiblingLookups, skipWhenFoundElsewhere } from './sibling-lookups.js';

/** Artifacts that must outlive a restart or a Redis flush: always in PostgreSQL. */
const DURABLE_MODELS = new Set(['Grant', 'RefreshToken', 'DeviceCode', 'Session']);

/** Grants are read on every refresh and change rarely (see cached-reads.adapter.ts). */
const GRANT_CACHE_TTL_MS = 5_000;

export interface AdapterDependencies {
  artifacts: ArtifactRepository;
  /** Redis for the short-lived models, with PostgreSQL answering while it does not. */
  redis?: RedisGate;
  clients: ClientAdapter;
  /** Wraps the DeviceCode adapter (polling pace); identity when absent. */
  decorateDeviceCode?: (adapter: Adapter) => Adapter;
  /** The users the account look-up of refreshes reads first; a refresh-token read fills it. */
  recentUsers?: RecentUsers;
}

/** Looked up from several places of one request (a sign-in page's brand, language, handler, …). */
const READ_ONCE_PER_REQUEST = new Set(['Interaction']);

/** The kinds oidc-provider looks a token value up as when it does not know which it is. */
const TOKEN_KINDS = new Set(['AccessToken', 'ClientCredentials', 'RefreshToken']);

/** Picks where each oidc-provider model lives. */
export function createAdapterFactory(deps: AdapterDependencies): (name: string) => Adapter {
  const siblings = new SiblingLookups();
  // Grants are always in PostgreSQL, read through a short cache that refresh-token reads fill.
  const grants = cacheReads(new PostgresArtifactAdapter('Grant', deps.artifacts), GRANT_CACHE_TTL_MS);
  return (name) => {
    if (name === 'Grant') return failFast(explainMissingGrant(grants, deps.artifacts));
    if (name === 'Client') return failFast(deps.clients);
    let adapter: Adapter =
      DURABLE_MODELS.has(name) || !deps.redis
        ? new PostgresArtifactAdapter(name, deps.artifacts, {
            refreshChains: name === 'RefreshToken',
            findExpired: name === 'DeviceCode',
            onGrantRead: name === 'RefreshToken' ? (grantId, payload) => grants.prime(grantId, payload) : undefined,
            onUserRead: name === 'RefreshToken' && deps.recentUsers ? (accountId, user) => deps.recentUsers!.remember(accountId, user) : undefined,
          })
        : new RedisArtifactAdapter(name, deps.redis, new PostgresArtifactAdapter(name, deps.artifacts), TOKEN_KINDS.has(name) ? siblings : undefined);
    if (name === 'RefreshToken' && deps.redis) adapter = skipWhenFoundElsewhere(adapter, siblings);
    if (name === 'DeviceCode' && deps.decorateDeviceCode) adapter = deps.decorateDeviceCode(adapter);
    if (READ_ONCE_PER_REQUEST.has(name)) adapter = readOncePerRequest(adapter, name);
    return failFast(adapter);
  };
}
