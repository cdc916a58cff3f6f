import type { Knex } from 'knex';

/**
 * More ways to prove it's you: authenticator apps (TOTP) and passkeys as factors of a user,
 * single-use recovery codes, the user's preferred method, and browsers remembered per method.
 * `sms_challenges` becomes `second_factor_challenges`: its steps now belong to any method.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.renameTable('sms_challenges', 'second_factor_challenges');
  await knex.raw(`ALTER TABLE second_factor_challenges DROP CONSTRAINT sms_challenges_purpose_check`);
  await knex.raw(
    `ALTER TABLE second_factor_challenges ADD CONSTRAINT second_factor_challenges_purpose_check
     CHECK (purpose IN ('sign_in', 'enroll', 'email_gate', 'totp', 'totp_enroll', 'recovery_code', 'passkey', 'passkey_register'))`,
  );

  await knex.schema.createTable('user_factors', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.text('name').notNullable();
    // TOTP: the shared secret, sealed with a key derived from the cookie keys.
    t.text('secret_sealed');
    // TOTP: the last time step accepted, so a code is never accepted twice.
    t.bigInteger('last_used_step');
    // Passkeys (WebAuthn).
    t.text('credential_id').unique();
    t.text('public_key');
    t.bigInteger('sign_count');
    t.jsonb('transports');
    t.boolean('backed_up');
    // NULL while an enrollment waits for its first code.
    t.timestamp('confirmed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.index(['user_id']);
  });
  await knex.raw(`ALTER TABLE user_factors ADD CONSTRAINT user_factors_kind_check CHECK (kind IN ('totp', 'passkey'))`);

  await knex.schema.createTable('recovery_codes', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('code_hash').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('used_at', { useTz: true });
    t.unique(['user_id', 'code_hash']);
  });

  // An administrator's one-time pass around the second step, for a person who lost every method.
  await knex.schema.createTable('second_factor_bypasses', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.jsonb('issued_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.index(['user_id']);
  });

  await knex.schema.alterTable('users', (t) => {
    t.text('preferred_method');
  });
  await knex.schema.alterTable('user_devices', (t) => {
    // Which method the browser passed: remembered per method ("sms" for rows before this).
    t.text('mfa_method');
  });
  await knex('user_devices').whereNotNull('mfa_verified_at').update({ mfa_method: 'sms' });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
