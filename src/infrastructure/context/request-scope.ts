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
      values.set(key, value);
      return scope.run(values, fn);
    },
    get() {
      return scope.getStore()?.get(key) as T | undefined;
    },
  };
}
