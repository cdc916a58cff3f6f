import type { Adapter, AdapterPayload } from 'oidc-provider';
import { requestSlot } from '../../../infrastructure/context/request-scope.js';
import { readOncePerRequest } from './once-per-request.adapter.js';

/** A store that counts its reads, and can be told to fail the next one. */
function countingStore() {
  const rows = new Map<string, AdapterPayload>();
  let reads = 0;
  let failNext = false;
  const adapter: Adapter = {
    find: async (id) => {
      reads++;
      if (failNext) {
        failNext = false;
        throw new Error('storage did not answer');
      }
      return rows.get(id);
    },
    upsert: async (id, payload) => void rows.set(id, structuredClone(payload)),
    destroy: async (id) => void rows.delete(id),
    consume: async () => undefined,
    revokeByGrantId: async () => undefined,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
  };
  return { adapter, rows, reads: () => reads, failNextRead: () => (failNext = true) };
}

const request = requestSlot<string>('request id');
const inRequest = <T>(fn: () => Promise<T>) => request.run('r', fn);

describe('readOncePerRequest', () => {
  it('reads a payload once per request, handing out copies', async () => {
    const store = countingStore();
    store.rows.set('i1', { params: { client_id: 'app' } } as AdapterPayload);
    const adapter = readOncePerRequest(store.adapter, 'Interaction');
    await inRequest(async () => {
      const [first, second] = await Promise.all([adapter.find('i1'), adapter.find('i1')]);
      (first as { params: { client_id: string } }).params.client_id = 'changed by a caller';
      expect((second as { params: { client_id: string } }).params.client_id).toBe('app');
      expect(((await adapter.find('i1')) as { params: { client_id: string } }).params.client_id).toBe('app');
    });
    expect(store.reads()).toBe(1);
    // The next request reads storage again: a change made elsewhere meanwhile is seen.
    store.rows.set('i1', { params: { client_id: 'other' } } as AdapterPayload);
    await inRequest(async () => expect(((await adapter.find('i1')) as { params: { client_id: string } }).params.client_id).toBe('other'));
    expect(store.reads()).toBe(2);
  });

  it('answers what the request itself last wrote, and reads again after a destroy', async () => {
    const store = countingStore();
    const adapter = readOncePerRequest(store.adapter, 'Interaction');
    await inRequest(async () => {
      expect(await adapter.find('i2')).toBeUndefined();
      await adapter.upsert('i2', { result: { login: { accountId: 'a' } } } as AdapterPayload, 60);
      expect(await adapter.find('i2')).toEqual({ result: { login: { accountId: 'a' } } });
      expect(store.reads()).toBe(1);
      await adapter.destroy('i2');
      expect(await adapter.find('i2')).toBeUndefined();
      expect(store.reads()).toBe(2);
    });
  });

  it('keeps no failed read, and passes every call through outside a request', async () => {
    const store = countingStore();
    store.rows.set('i3', { uid: 'u' } as AdapterPayload);
    const adapter = readOncePerRequest(store.adapter, 'Interaction');
    await inRequest(async () => {
      store.failNextRead();
      await expect(adapter.find('i3')).rejects.toThrow('storage did not answer');
      expect(await adapter.find('i3')).toEqual({ uid: 'u' });
    });
    await adapter.find('i3');
    await adapter.find('i3');
    expect(store.reads()).toBe(4);
  });
});
