import type { Knex } from 'knex';
import { confusableSkeleton } from '../src/infrastructure/formatting/confusable-skeleton.js';

const BATCH = 1000;

/**
 * Look-alike usernames (`аdmin` with a Cyrillic а next to `admin`) are refused: every user gets
 * the Unicode TS #39 skeleton of its normalised username, unique across Gatehouse, so the check
 * is one index look-up and two parallel creations of look-alikes cannot both succeed.
 *
 * Existing rows are backfilled. Look-alikes created before this keep working: the oldest of
 * them holds the skeleton, the later ones keep NULL (a unique index allows many), and no new
 * look-alike of any of them can be created.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.text('username_skeleton');
  });

  let after: string | undefined;
  for (;;) {
    const query = knex('users').select('id', 'username_normalized').orderBy('id').limit(BATCH);
    if (after) query.where('id', '>', after);
    const rows: { id: string; username_normalized: string }[] = await query;
    if (!rows.length) break;
    // The normalised form as src/domain/users/user.ts now computes it (one more NFKC).
    const values = rows.map((row) => [row.id, confusableSkeleton(row.username_normalized.normalize('NFKC'))]);
    await knex.raw(`UPDATE users SET username_skeleton = v.skeleton FROM (VALUES ${values.map(() => '(?::uuid, ?)').join(', ')}) AS v(id, skeleton) WHERE users.id = v.id`, values.flat());
    after = rows.at(-1)!.id;
  }

  await knex.raw(`
    UPDATE users AS later SET username_skeleton = NULL
    WHERE EXISTS (
      SELECT 1 FROM users AS earlier
      WHERE earlier.username_skeleton = later.username_skeleton
        AND (earlier.created_at, earlier.id) < (later.created_at, later.id)
    )`);
  await knex.raw('CREATE UNIQUE INDEX users_username_skeleton ON users (username_skeleton)');
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
