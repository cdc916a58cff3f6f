import type { Knex } from 'knex';
import { replaceIndexConcurrently } from './concurrent-index.js';

const INDEX = 'oidc_artifacts_type_uid';
const REPLACED = 'oidc_artifacts_uid';

/**
 * A browser session's `uid` names the session across the identifiers it is given: oidc-provider
 * gives the session a new identifier (same uid) each time a sign-in completes in it. Two sign-ins
 * completing at once in one browser (two tabs, two apps) each give it one, so two rows carry the
 * same uid for a moment. The unique index on (type, uid) refused the second (a duplicate key, a
 * 500 for that tab); this index looks sessions up by uid without refusing either. Which row a
 * uid names, and how a sign-out ends them all, is the artifact repository's rule.
 *
 * Built CONCURRENTLY, outside a transaction, so that sign-ins are not held while it builds.
 */
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await replaceIndexConcurrently(knex, INDEX, `ON oidc_artifacts (type, uid) WHERE uid IS NOT NULL`, REPLACED);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
