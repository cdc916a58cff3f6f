import type { Knex } from 'knex';
import { replaceIndexConcurrently } from './concurrent-index.js';

/**
 * Opening a reset closes the open resets of the same name typed (whether or not an account has
 * it), found by this index: only open flows, so it stays as small as the resets under way.
 *
 * Built CONCURRENTLY, outside a transaction, so that resets are not held while it builds.
 */
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await replaceIndexConcurrently(knex, 'recovery_flows_open_username_digest', `ON recovery_flows (username_digest) WHERE state = 'sent_email'`);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
