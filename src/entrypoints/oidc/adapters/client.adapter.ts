import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { ClientRecord, ClientRepository } from '../../../domain/clients/client.repository.js';
import { toProviderMetadata } from '../client-metadata.js';

// Client definitions change rarely; a short in-process cache spares the database a query on
// every token request. Changes made on this replica invalidate at once, others within the TTL.
const CACHE_TTL_MS = 10_000;
const MAX_CACHED = 10_000;

/** Serves oidc-provider's `Client` model from the `clients` table. Clients are never written through it. */
export class ClientAdapter implements Adapter {
  private readonly cache = new Map<string, { metadata: AdapterPayload | undefined; until: number }>();

  constructor(private readonly clients: ClientRepository) {}

  async find(id: string): Promise<AdapterPayload | undefined> {
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.metadata;
    const record: ClientRecord | undefined = await this.clients.findById(id);
    const metadata = record ? toProviderMetadata(record) : undefined;
    // Strangers can probe endless unknown ids: keep the cache bounded.
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(id, { metadata, until: Date.now() + CACHE_TTL_MS });
    return metadata;
  }

  invalidate(id: string): void {
    this.cache.delete(id);
  }

  async upsert(): Promise<void> {}
  async findByUid(): Promise<undefined> { return undefined; }
  async findByUserCode(): Promise<undefined> { return undefined; }
  async consume(): Promise<void> {}
  async destroy(id: string): Promise<void> { this.invalidate(id); }
  async revokeByGrantId(): Promise<void> {}
}
