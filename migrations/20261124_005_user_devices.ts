import type { Knex } from 'knex';

/**
 * Browsers a user has signed in from: the long-lived device cookie holds a random token, stored
 * here only as a SHA-256 digest. It spares a known browser the username-wide lockout, tells it
 * when an old password is retried, and remembers a passed SMS step for `mfa.reverify_days`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('user_devices', (t) => {
    t.text('device_hash').notNullable();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('first_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // When this browser last passed the SMS step, and for which number.
    t.timestamp('mfa_verified_at', { useTz: true });
    t.text('mfa_phone');
    t.primary(['device_hash', 'user_id']);
    t.index(['user_id']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
