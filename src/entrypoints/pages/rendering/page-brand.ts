import { AsyncLocalStorage } from 'node:async_hooks';
import type { Brand } from '../../../domain/tenants/branding.js';

const storage = new AsyncLocalStorage<Brand | undefined>();

/**
 * The organisation a page is shown for: set once per request by the hosted pages' router (from
 * the client of the sign-in, or the person once known), read by the renderer for the layout, so
 * no page handler has to pass it along.
 */
export function showingBrand<T>(brand: Brand | undefined, fn: () => T): T {
  return storage.run(brand, fn);
}

export function currentBrand(): Brand | undefined {
  return storage.getStore();
}
