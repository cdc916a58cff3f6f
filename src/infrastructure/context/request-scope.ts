import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What one request's handling carries implicitly (its id, its page language, its brand, …),
 * through one AsyncLocalStorage for all of them. Node (20) copies every enabled
 * AsyncLocalStorage's value onto every promise and callback a request creates: with five of
 * Gatehouse's own beside the provider's, that bookkeeping took several percent of a token
 * request's CPU. Each slot still behaves as an AsyncLocalStorage of its own: `run` scopes its
 * value to `fn` and what it starts, nested runs shadow and then restore it.
 */
const scope = new AsyncLocalStorage<ReadonlyMap<symbol, unknown>>();
const EMPTY: ReadonlyMap<symbol, unknown> = new Map();
/**
 * The request's own scratch space (see `requestLocalMap`): made by the outermost run (the
 * request's), and handed on by reference to every nested run, so what one part of the request
 * keeps there, every later part of the same request finds.
 */
const SCRATCH = Symbol('request scratch space');

export interface RequestSlot<T> {
  /** Runs `fn` (and everything it starts, awaited or not) with this slot set to `value`. */
  run<R>(value: T, fn: () => R): R;
  /** The slot's value in the work in progress, if a `run` of it encloses it. */
  get(): T | undefined;
}

/** A named slot of the request scope (the name is for debugging; each call makes a new slot). */
export function requestSlot<T>(name: string): RequestSlot<T> {
  const key = Symbol(name);
  return {
    run(value, fn) {
      const values = new Map(scope.getStore() ?? EMPTY);
      if (!values.has(SCRATCH)) values.set(SCRATCH, new Map<symbol, unknown>());
      values.set(key, value);
      return scope.run(values, fn);
    },
    get() {
      return scope.getStore()?.get(key) as T | undefined;
    },
  };
}

/**
 * A map that lives exactly as long as the request (the outermost `run` of any slot) it is asked
 * for in, shared by all of that request's work; `undefined` outside any run. For what one
 * request would otherwise fetch again and again, never for anything another request may see.
 */
export function requestLocalMap<K, V>(name: string): () => Map<K, V> | undefined {
  const key = Symbol(name);
  return () => {
    const scratch = scope.getStore()?.get(SCRATCH) as Map<symbol, unknown> | undefined;
    if (!scratch) return undefined;
    let map = scratch.get(key) as Map<K, V> | undefined;
    if (!map) scratch.set(key, (map = new Map<K, V>()));
    return map;
  };
}
