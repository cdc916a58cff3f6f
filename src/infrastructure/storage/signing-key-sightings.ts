import type { Knex } from 'knex';

/**
 * Remembers when each signing key was first seen signing (JWKS carries no date) and answers
 * with that time: the replicas agree, and a restart does not make an old key look new.
 */
export async function recordSigningKeySightings(knex: Knex, keys: { kid: string; alg: string }[]): Promise<{ kid: string; alg: string; since: Date }[]> {
  if (keys.length === 0) return [];
  await knex('signing_key_sightings')
    .insert(keys.map(({ kid, alg }) => ({ kid, alg })))
    .onConflict('kid')
    .ignore();
  const rows = await knex('signing_key_sightings').whereIn('kid', keys.map((key) => key.kid)).select<{ kid: string; first_seen_at: Date }[]>('kid', 'first_seen_at');
  const since = new Map(rows.map((row) => [row.kid, row.first_seen_at]));
  return keys.map((key) => ({ ...key, since: since.get(key.kid) ?? new Date() }));
}
