import { createHash } from 'node:crypto';

/**
 * Identifiers of seeded rows, derived from the run's salt and the row's number, so the seed can
 * generate them inside PostgreSQL (no round trip per row) while the bench and the tests compute
 * the same values in Node: the refresh token `n` of a seed is known without reading it back.
 *
 * Each derivation exists twice, as SQL (an expression over `n`, the salt a bound parameter) and
 * as a Node function; the seed test checks that they agree.
 */

/** A 43-character base64url string, the shape of oidc-provider's own opaque ids. */
export function opaqueId(salt: string, kind: string, n: number): string {
  return createHash('sha256').update(`${salt}:${kind}:${n}`).digest('base64url');
}

/** SQL for `opaqueId(salt, kind, n)`, `n` an integer expression. */
export function opaqueIdSql(salt: string, kind: string, n: string): string {
  return `rtrim(translate(encode(sha256(convert_to(${sqlText(`${salt}:${kind}:`)} || (${n})::text, 'UTF8')), 'base64'), '+/', '-_'), '=')`;
}

/**
 * A version-4-shaped UUID from md5 (version nibble 4, variant 8), so strict UUID validators in
 * the admin API accept it.
 */
export function seededUuid(salt: string, kind: string, n: number): string {
  const hex = createHash('md5').update(`${salt}:${kind}:${n}`).digest('hex');
  const shaped = `${hex.slice(0, 12)}4${hex.slice(13, 16)}8${hex.slice(17)}`;
  return `${shaped.slice(0, 8)}-${shaped.slice(8, 12)}-${shaped.slice(12, 16)}-${shaped.slice(16, 20)}-${shaped.slice(20)}`;
}

/** SQL for `seededUuid(salt, kind, n)`, `n` an integer expression. */
export function seededUuidSql(salt: string, kind: string, n: string): string {
  return `overlay(overlay(md5(${sqlText(`${salt}:${kind}:`)} || (${n})::text) placing '4' from 13) placing '8' from 17)::uuid`;
}

/**
 * A string as an SQL literal. The seed's statements are built from its own constants, numbers
 * and a random salt (never from outside input); quoting still keeps any of them from breaking one.
 */
export function sqlText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A whole number as an SQL literal; anything else is a bug in the caller. */
export function sqlInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not a whole number: ${value}`);
  return String(value);
}

export function sqlTextArray(values: readonly string[]): string {
  return `ARRAY[${values.map(sqlText).join(', ')}]::text[]`;
}

/** Seeded tenants are recognised by their slug, so a second run knows what it may add to. */
export const SEEDED_SLUG_PREFIX = 'seed-';

export function seededTenantSlug(index: number): string {
  return `${SEEDED_SLUG_PREFIX}${String(index).padStart(6, '0')}`;
}

/** The operator-owned mobile app every seeded refresh token was issued to. */
export const SEEDED_CLIENT_ID = 'seed-mobile';
