import type { Knex } from 'knex';

/**
 * When each signing key (by `kid`) was first seen signing by any replica: JWKS carries no date,
 * and the key's age is what tells an operator it is time to rotate (metric
 * gatehouse_signing_key_age_seconds).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('signing_key_sightings', (t) => {
    t.text('kid').primary();
    t.text('alg').notNullable();
    t.timestamp('first_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
