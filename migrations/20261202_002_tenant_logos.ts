import type { Knex } from 'knex';

/**
 * Each tenant's logo, apart from its settings: the settings are read at every sign-in, the logo
 * only when a page or an email shows it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenant_logos', (t) => {
    t.uuid('tenant_id').primary().references('tenants.id').onDelete('CASCADE');
    t.text('content_type').notNullable();
    t.binary('image').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
