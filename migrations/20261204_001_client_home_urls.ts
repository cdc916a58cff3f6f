import type { Knex } from 'knex';

/**
 * Where an application's people can start over: its registered sign-in URL (OpenID Connect
 * `initiate_login_uri`) and home page (`client_uri`), the way onward of an error page.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.text('initiate_login_uri').nullable();
    t.text('client_uri').nullable();
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
