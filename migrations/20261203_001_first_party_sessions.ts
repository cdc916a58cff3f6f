import type { Knex } from 'knex';

/**
 * Sessions of Gatehouse's own web apps (the account page, next the admin console): the browser
 * holds only a random id in an httpOnly cookie; what the app knows about the person (who, since
 * when, a second factor passed moments ago, a code being confirmed) stays here, keyed by the
 * id's SHA-256, and expires after a short idle time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('first_party_sessions', (t) => {
    t.text('id_hash').primary();
    t.text('client_id').notNullable();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('tenant_id').notNullable();
    t.jsonb('state').notNullable().defaultTo('{}');
    t.timestamp('signed_in_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['user_id']);
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('first_party_sessions');
}
