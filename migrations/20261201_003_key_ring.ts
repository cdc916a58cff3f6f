import type { Knex } from 'knex';

/**
 * Signing and cookie keys kept in the database (when KEY_ENCRYPTION_KEY is set): the private
 * part sealed with AES-256-GCM under the key-encryption key, which only the environment holds.
 * A key is published (verifies tokens, accepts cookies) from `published_at`, signs from
 * `active_at` and is gone from `retire_at`; every replica reads the ring and follows the same
 * clock, so a rotation needs no restart.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('key_ring', (t) => {
    t.text('kid').primary();
    t.text('use').notNullable();
    t.text('alg').notNullable();
    t.text('sealed').notNullable();
    t.text('kek_id').notNullable();
    t.jsonb('public_jwk');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('published_at', { useTz: true }).notNullable();
    t.timestamp('active_at', { useTz: true }).notNullable();
    t.timestamp('retire_at', { useTz: true });
    t.index(['use', 'active_at']);
  });
  await knex.raw(`ALTER TABLE key_ring ADD CONSTRAINT key_ring_use_check CHECK (use IN ('sig', 'cookie'))`);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
