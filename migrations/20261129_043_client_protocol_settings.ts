import type { Knex } from 'knex';

/**
 * What a relying party registers beside its redirect URIs (OpenID Connect Registration 1.0):
 * where to send a logout token, how it authenticates at the token endpoint (with its public
 * keys for private_key_jwt), how its ID tokens are signed, a default max_age, auth_time on
 * demand, whether a confidential client must use PKCE, and the APIs (RFC 8707 resources) it
 * asks access tokens for, with their format. NULL means the kind's default.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.text('backchannel_logout_uri');
    t.text('token_endpoint_auth_method');
    t.jsonb('jwks');
    t.text('id_token_signed_response_alg');
    t.integer('default_max_age');
    t.boolean('require_auth_time').notNullable().defaultTo(false);
    // Public clients always use PKCE whatever this says; a confidential one may be let off.
    t.boolean('require_pkce').notNullable().defaultTo(true);
    t.text('access_token_format').notNullable().defaultTo('opaque');
    t.jsonb('resources').notNullable().defaultTo('[]');
  });
  await knex.raw(`ALTER TABLE clients ADD CONSTRAINT clients_access_token_format_check CHECK (access_token_format IN ('opaque', 'jwt'))`);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
