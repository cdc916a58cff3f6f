import type { Knex } from 'knex';

/**
 * The outbox: every email and SMS is a row with its status, written with the change that causes
 * it and sent by a worker (the job queue lives in its own schema, `pgboss`). The rendered
 * payload (which may hold a code or a temporary password) is kept only until the message is
 * final. Addresses that bounced or complained are remembered for support. A recovery flow keeps
 * a digest of the username it was asked for, so resends count against that username's limit
 * whether or not the account exists.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('messages', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').references('tenants.id').onDelete('CASCADE');
    t.uuid('user_id').references('users.id').onDelete('CASCADE');
    t.text('channel').notNullable();
    // The template (recovery-code, temporary-password, sms-sign-in-code, …).
    t.text('purpose').notNullable();
    t.text('destination').notNullable();
    t.text('destination_masked').notNullable();
    t.text('status').notNullable().defaultTo('queued');
    t.text('reason');
    t.text('provider_message_id');
    t.integer('attempts').notNullable().defaultTo(0);
    // The one-time-code slot whose code the message carries, and the hash of that code: a code
    // that expired or was replaced is never sent.
    t.uuid('code_owner_id');
    t.text('code_hash');
    t.jsonb('payload');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_attempt_at', { useTz: true });
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('final_at', { useTz: true });
    t.index(['user_id', 'created_at']);
    t.index(['created_at']);
    t.index(['provider_message_id']);
  });
  await knex.raw(`ALTER TABLE messages ADD CONSTRAINT messages_channel_check CHECK (channel IN ('email', 'sms'))`);
  await knex.raw(`ALTER TABLE messages ADD CONSTRAINT messages_status_check CHECK (status IN ('queued', 'sent', 'failed', 'suppressed', 'bounced'))`);

  await knex.schema.createTable('email_bounces', (t) => {
    // Lower-cased address.
    t.text('address').primary();
    t.text('kind').notNullable();
    t.text('reason');
    t.timestamp('at', { useTz: true }).notNullable();
    t.uuid('message_id');
  });

  await knex.schema.alterTable('recovery_flows', (t) => {
    t.text('username_digest');
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
