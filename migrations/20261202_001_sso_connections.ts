import type { Knex } from 'knex';

/**
 * Sign-in through a tenant's own OpenID Connect provider (Microsoft Entra ID or any issuer):
 * one connection per tenant, and the stable upstream identity (Entra: `tid:oid`; any other
 * issuer: `iss|sub`) each linked user signs in as. An email is never the link.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sso_connections', (t) => {
    t.uuid('tenant_id').primary().references('tenants.id').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.text('entra_tenant_id');
    t.text('issuer');
    t.text('display_name').notNullable();
    t.text('client_id').notNullable();
    // AES-256-GCM under a key derived from the cookie keys: never returned by the API.
    t.text('client_secret_sealed').notNullable();
    t.jsonb('allowed_domains').notNullable().defaultTo('[]');
    t.jsonb('claim_mapping').notNullable().defaultTo('{}');
    t.boolean('enabled').notNullable().defaultTo(false);
    t.boolean('required').notNullable().defaultTo(false);
    t.boolean('jit').notNullable().defaultTo(false);
    t.boolean('trust_upstream_mfa').notNullable().defaultTo(false);
    t.boolean('upstream_logout').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE sso_connections ADD CONSTRAINT sso_connections_kind_check CHECK (kind IN ('entra', 'oidc'))`);
  // Home-realm discovery routes an email domain to one tenant: a domain has one owner.
  await knex.schema.createTable('sso_domains', (t) => {
    t.text('domain').primary();
    t.uuid('tenant_id').notNullable().references('sso_connections.tenant_id').onDelete('CASCADE');
    t.index(['tenant_id']);
  });

  await knex.schema.createTable('federated_identities', (t) => {
    t.uuid('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE');
    t.text('subject').notNullable();
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_sign_in_at', { useTz: true });
    t.primary(['tenant_id', 'subject']);
    t.unique(['user_id']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
