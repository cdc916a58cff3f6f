import type { Knex } from 'knex';
import { SEEDED_SLUG_PREFIX } from './seeded-ids.js';

/** Why a database must not be seeded, or undefined when it may. */
export async function refusalToSeed(knex: Knex, env: NodeJS.ProcessEnv, force: boolean): Promise<string | undefined> {
  if (env.NODE_ENV === 'production') return 'NODE_ENV=production: the scale seed fills a database with made-up people and tokens; never on a production database.';
  const { rows } = await knex.raw<{ rows: { own: number; seeded: number }[] }>(
    `SELECT count(*) FILTER (WHERE slug NOT LIKE ?) AS own, count(*) FILTER (WHERE slug LIKE ?) AS seeded FROM tenants`,
    [`${SEEDED_SLUG_PREFIX}%`, `${SEEDED_SLUG_PREFIX}%`],
  );
  const { own, seeded } = rows[0]!;
  if (Number(seeded) > 0) return `the database already holds ${seeded} seeded tenants: seed a fresh database (createdb), or drop this one.`;
  if (Number(own) > 0 && !force) return `the database holds ${own} tenant(s) that the seed did not create: add --force to seed beside them (a scratch or demo database only).`;
  return undefined;
}
