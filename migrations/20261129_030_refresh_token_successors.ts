import type { Knex } from 'knex';

/**
 * A rotated refresh token remembers the token that replaced it. An app whose refresh answer was
 * lost (a dropped connection, a timeout) presents the old token again: within the grace window
 * it is handed the chain's current token instead of losing its sign-in.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oidc_artifacts', (t) => {
    t.text('successor_id');
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
