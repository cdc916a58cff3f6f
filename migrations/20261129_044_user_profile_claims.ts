import type { Knex } from 'knex';

/**
 * Standard profile claims (OpenID Connect Core §5.1) an administrator may set for a user, released
 * with the `profile` scope: given and family name, locale (BCP 47) and time zone (IANA).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.text('given_name');
    t.text('family_name');
    t.text('locale');
    t.text('zoneinfo');
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
