import type { Knex } from 'knex';

/**
 * One store for one-time codes (recovery emails, SMS sign-in and enrollment, the email gate):
 * a code slot per flow or challenge, holding the keyed hash of its newest code, its expiry, and
 * an attempt count that is spent atomically before a comparison, so parallel guesses cannot
 * exceed the cap. The code columns of `recovery_flows` and `sms_challenges` move here, codes in
 * flight included; a recovery flow gains the state `superseded` (a newer flow replaced it).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('one_time_codes', (t) => {
    // The flow or challenge the code belongs to: one slot each, a resend replaces the hash.
    t.uuid('owner_id').primary();
    t.text('purpose').notNullable();
    t.text('code_hash');
    t.timestamp('code_expires_at', { useTz: true });
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable();
    t.integer('codes_sent').notNullable().defaultTo(0);
    t.timestamp('last_sent_at', { useTz: true });
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at']);
  });
  await knex.raw(`
    INSERT INTO one_time_codes (owner_id, purpose, code_hash, code_expires_at, attempts, max_attempts, codes_sent, last_sent_at, used_at, created_at)
    SELECT id, 'recovery', code_hash, code_expires_at, failed_attempts, 5, codes_sent, last_sent_at, completed_at, created_at FROM recovery_flows`);
  await knex.raw(`
    INSERT INTO one_time_codes (owner_id, purpose, code_hash, code_expires_at, attempts, max_attempts, codes_sent, last_sent_at, used_at, created_at)
    SELECT id, purpose, code_hash, code_expires_at, failed_attempts, 5, codes_sent, last_sent_at, completed_at, created_at FROM sms_challenges`);
  for (const table of ['recovery_flows', 'sms_challenges']) {
    await knex.schema.alterTable(table, (t) => {
      t.dropColumns('code_hash', 'code_expires_at', 'failed_attempts', 'codes_sent', 'last_sent_at');
    });
  }
  await knex.raw(`ALTER TABLE recovery_flows DROP CONSTRAINT recovery_flows_state_check`);
  await knex.raw(`ALTER TABLE recovery_flows ADD CONSTRAINT recovery_flows_state_check CHECK (state IN ('sent_email', 'completed', 'failed', 'superseded'))`);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
