import type { Knex } from 'knex';

/**
 * People who operate Gatehouse itself (see every tenant, switch between them in the console),
 * as operator clients do through the admin API. Only an operator can set the flag.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.boolean('is_operator').notNullable().defaultTo(false);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
