import type { Knex } from 'knex';

/**
 * The id of the HTTP request that recorded an event (its `X-Request-Id`, also in every log line
 * of that request): support can go from an event to the logs and back. Null for events recorded
 * outside a request (cleanup, start-up). A nullable column without a default: no table rewrite.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.text('request_id');
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
