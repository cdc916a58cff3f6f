import type { Adapter } from 'oidc-provider';

/**
 * One opaque token value looked up under several token kinds at once. Introspection and
 * revocation do not know what kind of token they were given, so oidc-provider asks for it as an
 * access token, a client-credentials token and a refresh token together. Kinds kept in Redis
 * must also ask PostgreSQL when Redis misses (a token written while Redis was set aside lives
 * there), and refresh tokens live only in PostgreSQL: without this, every introspection of a
 * live access token paid two PostgreSQL round trips to learn that it is not of the other kinds.
 *
 * Token values are random and unique across kinds, so once any kind has found the value in
 * Redis, the others know it is not theirs and skip PostgreSQL. This only ever saves a look-up:
 * when nothing was found in Redis, or the news comes too late, PostgreSQL is asked as before.
 */
export class SiblingLookups {
  private readonly inFlight = new Map<string, Promise<boolean>[]>();

  /** A kind is looking `id` up in Redis; `foundInRedis` settles with whether it found it there. */
  announce(id: string, foundInRedis: Promise<boolean>): void {
    const list = this.inFlight.get(id);
    if (list) list.push(foundInRedis);
    else this.inFlight.set(id, [foundInRedis]);
    // Kept until the look-ups of the same request have read it: they resume in the same turn
    // of the event loop as this one settles (one pipelined Redis answer), before any timer.
    void foundInRedis.then(() => setTimeout(() => this.forget(id, foundInRedis), 0));
  }

  /** Whether another kind looking at `id` right now found it in Redis (so it is not of this kind). */
  async foundElsewhere(id: string, own?: Promise<boolean>): Promise<boolean> {
    const others = this.inFlight.get(id)?.filter((lookup) => lookup !== own);
    if (!others?.length) return false;
    return (await Promise.all(others)).some(Boolean);
  }

  private forget(id: string, lookup: Promise<boolean>): void {
    const list = this.inFlight.get(id);
    if (!list) return;
    const rest = list.filter((l) => l !== lookup);
    if (rest.length) this.inFlight.set(id, rest);
    else this.inFlight.delete(id);
  }
}

/** A PostgreSQL-only kind (refresh tokens) that skips its look-up when a Redis kind found the value. */
export function skipWhenFoundElsewhere(adapter: Adapter, siblings: SiblingLookups): Adapter {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      if (property === 'find') {
        return async (id: string) => ((await siblings.foundElsewhere(id)) ? undefined : target.find(id));
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
