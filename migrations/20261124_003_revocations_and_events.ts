import type { Knex } from 'knex';

/**
 * Refresh tokens cut off by an administrator stay as tombstones (revoked_at, revoked_reason)
 * until they would have expired, so a client presenting one is told why. The event log of
 * every sign-in decision and administrator action.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oidc_artifacts', (t) => {
    t.timestamp('revoked_at', { useTz: true });
    t.text('revoked_reason');
  });

  await knex.schema.createTable('events', (t) => {
    t.bigIncrements('id').primary();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('type').notNullable();
    t.uuid('tenant_id');
    t.uuid('user_id');
    t.text('client_id');
    t.text('client_kind');
    t.text('ip');
    t.text('user_agent');
    t.text('reason');
    t.jsonb('actor');
    t.jsonb('details');
    t.index(['tenant_id', 'at']);
    t.index(['user_id', 'at']);
    t.index(['at']);
  });

  // Admin search over name, username, email and phone within a tenant.
  await knex.raw('CREATE INDEX users_tenant_username ON users (tenant_id, username_normalized)');
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
