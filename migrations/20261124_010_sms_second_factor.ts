import type { Knex } from 'knex';

/**
 * The SMS second factor: challenges (a stored step bound to one sign-in, holding the keyed
 * hash of its newest code) and each tenant's SMS count per month against its budget.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sms_challenges', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('interaction_uid').notNullable();
    // sign_in: code to the verified phone; enroll: code to a new number; email_gate: emailed
    // code that must come before a later phone change.
    t.text('purpose').notNullable();
    t.text('destination').notNullable();
    t.text('code_hash');
    t.timestamp('code_expires_at', { useTz: true });
    t.integer('failed_attempts').notNullable().defaultTo(0);
    t.integer('codes_sent').notNullable().defaultTo(0);
    t.timestamp('last_sent_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('completed_at', { useTz: true });
    t.index(['interaction_uid', 'user_id']);
    t.index(['expires_at']);
  });
  await knex.raw(`ALTER TABLE sms_challenges ADD CONSTRAINT sms_challenges_purpose_check CHECK (purpose IN ('sign_in', 'enroll', 'email_gate'))`);

  // The sign-in before the latest: none means this is the user's first, when a phone may be added
  // without first proving the email address (an invitation's first sign-in).
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('previous_login_at', { useTz: true });
  });

  await knex.schema.createTable('sms_usage', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.text('month').notNullable();
    t.integer('sent').notNullable().defaultTo(0);
    t.timestamp('alerted_at', { useTz: true });
    t.timestamp('exhausted_at', { useTz: true });
    t.primary(['tenant_id', 'month']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
