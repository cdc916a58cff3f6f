import type { Adapter, AdapterPayload } from 'oidc-provider';
import { requestLocalMap } from '../../../infrastructure/context/request-scope.js';

/**
 * Reads each payload of a model at most once per HTTP request. A sign-in page's request looks its
 * interaction up from several places: the page's brand, its language, the handler, the
 * provider's `interactionResult`, the form targets of the answer. Each was a round trip to Redis
 * (PostgreSQL on the embedded default) for the same bytes: nine per password sign-in where three
 * do. Within one request a look-up answers what this request last read or wrote; another request
 * (on this replica or another) reads storage afresh, so nothing stale outlives the request.
 * Outside a request (jobs, the CLI) every call goes to `adapter`.
 */
export function readOncePerRequest(adapter: Adapter, model: string): Adapter {
  // Kept as the JSON text storage holds: each look-up parses its own copy (the provider builds its
  // model objects from the payload and changes them), which costs a third of a structuredClone.
  const readsOf = requestLocalMap<string, Promise<string | undefined>>(`${model} reads`);
  return {
    find(id) {
      const reads = readsOf();
      if (!reads) return adapter.find(id);
      let read = reads.get(id);
      if (!read) {
        read = Promise.resolve(adapter.find(id)).then((payload) => (payload ? JSON.stringify(payload) : undefined));
        reads.set(id, read);
        // A failed read is not kept: a later look-up of the request tries storage again.
        read.catch(() => reads.get(id) === read && reads.delete(id));
      }
      return read.then((text) => (text === undefined ? undefined : (JSON.parse(text) as AdapterPayload)));
    },
    async upsert(id, payload, expiresIn) {
      const reads = readsOf();
      reads?.delete(id);
      await adapter.upsert(id, payload, expiresIn);
      reads?.set(id, Promise.resolve(JSON.stringify(payload)));
    },
    async destroy(id) {
      readsOf()?.delete(id);
      await adapter.destroy(id);
    },
    async consume(id) {
      readsOf()?.delete(id);
      await adapter.consume(id);
    },
    async revokeByGrantId(grantId) {
      readsOf()?.clear();
      await adapter.revokeByGrantId(grantId);
    },
    findByUid: (uid) => adapter.findByUid(uid),
    findByUserCode: (userCode) => adapter.findByUserCode(userCode),
  };
}
