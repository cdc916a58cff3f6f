import type { Adapter, AdapterPayload } from 'oidc-provider';
import { cacheReads } from './cached-reads.adapter.js';

/** A store that counts its reads. */
function countingStore() {
  const rows = new Map<string, AdapterPayload>();
  let reads = 0;
  const adapter: Adapter = {
    find: async (id) => {
      reads++;
      return rows.get(id);
    },
    upsert: async (id, payload) => void rows.set(id, payload),
    destroy: async (id) => void rows.delete(id),
    consume: async () => undefined,
    revokeByGrantId: async () => undefined,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
  };
  return { adapter, rows, reads: () => reads };
}

describe('cacheReads', () => {
  it('serves repeated reads from memory, as copies', async () => {
    const store = countingStore();
    store.rows.set('g1', { accountId: 'a', openid: { scope: 'openid' } } as AdapterPayload);
    const cached = cacheReads(store.adapter, 60_000);
    const first = await cached.find('g1');
    (first as { accountId: string }).accountId = 'changed by the caller';
    expect((await cached.find('g1'))!.accountId).toBe('a');
    expect(store.reads()).toBe(1);
  });

  it('does not remember misses, so a grant made elsewhere is found at once', async () => {
    const store = countingStore();
    const cached = cacheReads(store.adapter, 60_000);
    expect(await cached.find('g2')).toBeUndefined();
    store.rows.set('g2', { accountId: 'b' } as AdapterPayload);
    expect((await cached.find('g2'))!.accountId).toBe('b');
  });

  it('forgets on destroy and revocation, and re-reads after the TTL', async () => {
    const store = countingStore();
    const cached = cacheReads(store.adapter, 60_000);
    await cached.upsert('g3', { accountId: 'c' } as AdapterPayload, 60);
    await cached.destroy('g3');
    expect(await cached.find('g3')).toBeUndefined();

    const short = cacheReads(store.adapter, 0);
    store.rows.set('g4', { accountId: 'd' } as AdapterPayload);
    await short.find('g4');
    await short.find('g4');
    expect(store.reads()).toBeGreaterThanOrEqual(3);
  });
});
