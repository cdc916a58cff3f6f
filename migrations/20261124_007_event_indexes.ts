import type { Knex } from 'knex';

/**
 * Event lists are read newest first and continued with a (at, id) cursor: per tenant, per user
 * and per client (a failing integration's refusals). The indexes match that order exactly, so a
 * page is an index range scan however large the log grows; they replace the ascending ones.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX events_tenant_newest ON events (tenant_id, at DESC, id DESC)');
  await knex.raw('CREATE INDEX events_user_newest ON events (user_id, at DESC, id DESC) WHERE user_id IS NOT NULL');
  await knex.raw('CREATE INDEX events_client_newest ON events (client_id, at DESC, id DESC) WHERE client_id IS NOT NULL');
  await knex.schema.alterTable('events', (t) => {
    t.dropIndex(['tenant_id', 'at']);
    t.dropIndex(['user_id', 'at']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
