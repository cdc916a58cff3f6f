import type { Knex } from 'knex';

/**
 * oidc-provider artifacts. Durable ones (grants, refresh tokens, device codes, sessions) always
 * live here; short-lived ones (access tokens, codes, interactions) too when there is no Redis.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oidc_artifacts', (t) => {
    t.text('type').notNullable();
    t.text('id').notNullable();
    t.jsonb('payload').notNullable();
    t.text('grant_id');
    t.text('user_code');
    t.text('uid');
    t.text('account_id');
    t.text('client_id');
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('consumed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['type', 'id']);
    t.index(['grant_id']);
    t.index(['account_id', 'type']);
    t.index(['expires_at']);
  });
  await knex.raw('CREATE UNIQUE INDEX oidc_artifacts_user_code ON oidc_artifacts (type, user_code) WHERE user_code IS NOT NULL');
  await knex.raw('CREATE UNIQUE INDEX oidc_artifacts_uid ON oidc_artifacts (type, uid) WHERE uid IS NOT NULL');

  // Small expiring marks (device-flow polling pace, rate limits) when there is no Redis.
  await knex.schema.createTable('ephemeral_marks', (t) => {
    t.text('key').primary();
    t.text('value').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
