import type { Role } from '../users/user.js';

/** Roles whose holders may be given the `admin` scope (the admin API still checks every call). */
const ADMIN_SCOPE_ROLES: ReadonlySet<Role> = new Set(['admin', 'staff']);

/**
 * Which of the requested scopes a user may hold. `admin` only for roles that allow it, and
 * never together with `offline_access`: administrative power must not live in a 30-day token.
 */
export function scopesForUser(requested: string[], role: Role): { granted: string[]; refused: string[] } {
  const granted = new Set(requested);
  const refused = new Set<string>();
  if (granted.has('admin') && !ADMIN_SCOPE_ROLES.has(role)) {
    granted.delete('admin');
    refused.add('admin');
  }
  if (granted.has('admin') && granted.has('offline_access')) {
    granted.delete('offline_access');
    refused.add('offline_access');
  }
  return { granted: [...granted], refused: [...refused] };
}
