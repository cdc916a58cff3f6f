import { requestSlot } from '../../../infrastructure/context/request-scope.js';
import type { Brand } from '../../../domain/tenants/branding.js';

const storage = requestSlot<Brand | undefined>('page brand');

/**
 * The organisation a page is shown for: set once per request by the hosted pages' router (from
 * the client of the sign-in, or the person once known), read by the renderer for the layout, so
 * no page handler has to pass it along.
 */
export function showingBrand<T>(brand: Brand | undefined, fn: () => T): T {
  return storage.run(brand, fn);
}

export function currentBrand(): Brand | undefined {
  return storage.get();
}
