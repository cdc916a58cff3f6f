import type { Knex } from 'knex';

/**
 * Password recovery flows (a stored object with a state and an expiry, like kratos' flows) and
 * the counters of rate-limiter-flexible when there is no Redis.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recovery_flows', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    // NULL when the username is unknown: the flow behaves the same, its code never matches.
    t.uuid('user_id').references('users.id').onDelete('CASCADE');
    // The sign-in that sent the person here, to return to afterwards (NULL: started by an admin).
    t.text('interaction_uid');
    t.text('state').notNullable().defaultTo('sent_email');
    // HMAC of the newest code only: a resent code replaces the old one.
    t.text('code_hash');
    t.timestamp('code_expires_at', { useTz: true });
    t.integer('failed_attempts').notNullable().defaultTo(0);
    t.integer('codes_sent').notNullable().defaultTo(0);
    t.timestamp('last_sent_at', { useTz: true });
    t.text('requested_by').notNullable().defaultTo('user');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('completed_at', { useTz: true });
    t.index(['user_id']);
    t.index(['expires_at']);
  });
  await knex.raw(`ALTER TABLE recovery_flows ADD CONSTRAINT recovery_flows_state_check CHECK (state IN ('sent_email', 'completed', 'failed'))`);

  // Schema of rate-limiter-flexible's PostgreSQL store (created here, not at run time).
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire');
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
