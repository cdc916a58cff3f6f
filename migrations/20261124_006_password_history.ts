import type { Knex } from 'knex';

/**
 * Previous passwords of each user, as the bcrypt hashes they were stored with (never anything
 * else), with when each stopped being current: a browser that signed in as the user before is
 * told "this is a previous password; it was changed on …", and support sees an old password
 * being retried (DESIGN §4).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('password_history', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('password_hash').notNullable();
    t.timestamp('replaced_at', { useTz: true }).notNullable();
  });
  await knex.raw('CREATE INDEX password_history_user_newest ON password_history (user_id, replaced_at DESC)');
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
