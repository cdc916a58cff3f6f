import { z } from 'zod';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';

/** `limit` and `cursor` of every list; the cursor is opaque to callers. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type { Position } from '../../infrastructure/storage/keyset.js';
import type { Position } from '../../infrastructure/storage/keyset.js';

// Ids of every list: UUIDs, event numbers, client ids (`gh_` and base64url).
const CURSOR_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A cursor is opaque to callers but not trusted: only a position this API could have written
 * (a time PostgreSQL reads, an id of the list's shape) reaches a query. `id` narrows the shape
 * for lists whose ids are numbers.
 */
export function decodeCursor(cursor: string | undefined, id: RegExp = CURSOR_ID): Position | undefined {
  if (!cursor) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Position;
    if (value && typeof value === 'object' && typeof value.at === 'string' && typeof value.id === 'string' && CURSOR_ID.test(value.id) && id.test(value.id)) {
      const at = new Date(value.at);
      const year = at.getUTCFullYear();
      if (!Number.isNaN(at.getTime()) && year >= 1970 && year <= 9999) return { at: at.toISOString(), id: value.id };
    }
  } catch {
    // fall through
  }
  throw new GatehouseError('invalid_request', 'Invalid cursor: pass back the next_cursor of the previous page.', { errors: [{ field: 'cursor', message: 'not a cursor of this list' }] });
}

export function pageOf<T>(rows: T[], limit: number, position: (row: T) => Position): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const more = rows.length > limit && last !== undefined;
  return { items, next_cursor: more ? Buffer.from(JSON.stringify(position(last))).toString('base64url') : null };
}
