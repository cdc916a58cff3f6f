import type { Knex } from 'knex';

/** Tenants (customer accounts), their users, and OAuth clients. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenants', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('slug').notNullable().unique();
    t.text('name').notNullable();
    t.jsonb('settings').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.text('username').notNullable();
    // Usernames are unique across Gatehouse, case-insensitively: an operator-owned app cannot
    // know the tenant before sign-in.
    t.text('username_normalized').notNullable().unique();
    t.text('email');
    t.text('name');
    t.text('phone');
    t.boolean('phone_verified').notNullable().defaultTo(false);
    t.text('role').notNullable().defaultTo('member');
    t.text('password_hash');
    t.timestamp('password_changed_at', { useTz: true });
    t.boolean('password_temporary').notNullable().defaultTo(false);
    t.timestamp('password_expires_at', { useTz: true });
    t.boolean('disabled').notNullable().defaultTo(false);
    // Tokens issued to this user before this instant are refused (sign-out everywhere).
    t.timestamp('tokens_valid_after', { useTz: true });
    t.text('tokens_revoked_reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_login_at', { useTz: true });
    t.index(['tenant_id', 'created_at']);
  });
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'staff', 'member'))`);

  await knex.schema.createTable('clients', (t) => {
    t.text('client_id').primary();
    // NULL: operator-owned (the vendor's own apps, used by every tenant's people).
    t.uuid('tenant_id').references('tenants.id').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.text('name').notNullable();
    t.jsonb('redirect_uris').notNullable().defaultTo('[]');
    t.jsonb('post_logout_redirect_uris').notNullable().defaultTo('[]');
    t.text('scopes').notNullable();
    // Client secrets are random (>= 256 bits): a SHA-256 digest is the right store, not bcrypt.
    t.text('secret_hash');
    t.timestamp('secret_created_at', { useTz: true });
    t.timestamp('secret_last_used_at', { useTz: true });
    t.text('previous_secret_hash');
    t.timestamp('previous_secret_expires_at', { useTz: true });
    t.timestamp('previous_secret_last_used_at', { useTz: true });
    // Only the bootstrap or another operator sets this; scopes alone never make an operator.
    t.boolean('is_operator').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.index(['tenant_id']);
  });
  await knex.raw(`ALTER TABLE clients ADD CONSTRAINT clients_kind_check CHECK (kind IN ('web', 'mobile', 'downloader', 'integration'))`);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
