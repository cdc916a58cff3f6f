import type { Knex } from 'knex';
import { UserRepository } from '../../src/domain/users/user.repository.js';
import type { Database } from '../../src/infrastructure/storage/database.js';
import { openMigratedDatabase, type MigratedDatabase } from '../helpers/test-gatehouse.js';

const describeOnPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

/**
 * The admin search of a tenant's people matches on the tenant's search index alone and reads
 * only the page's rows from the table: people of many tenants lie interleaved in `users`, so
 * matching row by row would read a table page per person of the tenant.
 */
describeOnPostgres('the search of a tenant\'s people', () => {
  let database: Database;
  let opened: MigratedDatabase;
  let knex: Knex;
  let users: UserRepository;
  const tenants: string[] = [];

  beforeAll(async () => {
    opened = await openMigratedDatabase({ onServer: true });
    database = opened.database;
    knex = database.knex;
    for (let t = 0; t < 40; t++) tenants.push((await knex('tenants').insert({ slug: `search-${t}`, name: `Search ${t}` }).returning('id'))[0].id);
    // 40 × 1,500 people, interleaved as sign-ups of many tenants arrive in a real installation.
    await knex.raw(
      `INSERT INTO users (tenant_id, username, username_normalized, username_skeleton, name, email, password_hash, created_at)
       SELECT (?::uuid[])[1 + n % 40], 'person-' || n, 'person-' || n, 'person-' || n, CASE WHEN n % 7 = 0 THEN 'Ada Smith ' || n ELSE 'Bo Jones ' || n END,
              'p' || n || '@example.test', 'x', now() - (n || ' seconds')::interval
       FROM generate_series(1, 60000) AS n`,
      [tenants],
    );
    await knex.raw('VACUUM ANALYZE users');
    users = new UserRepository(knex);
  }, 60_000);
  afterAll(async () => opened?.dispose());

  /** The plans of the statements `search` sends, in order. */
  async function plansOf(search: () => Promise<unknown>): Promise<string[]> {
    const statements: { sql: string; bindings: readonly unknown[] }[] = [];
    const onQuery = (query: { sql: string; bindings: readonly unknown[] }) => statements.push(query);
    knex.on('query', onQuery);
    try {
      await search();
    } finally {
      knex.off('query', onQuery);
    }
    const plans: string[] = [];
    for (const statement of statements) {
      const plan = await knex.raw<{ rows: { 'QUERY PLAN': string }[] }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql.replace(/\$\d+/g, '?')}`, statement.bindings as Knex.RawBinding[]);
      plans.push(plan.rows.map((row) => row['QUERY PLAN']).join('\n'));
    }
    return plans;
  }

  it('matches on the index alone and reads only the page from the table', async () => {
    const [matching, page, ...more] = await plansOf(() => users.search(tenants[1]!, { q: 'smith', limit: 50 }));
    expect(more).toEqual([]);
    expect(matching).toMatch(/Index Only Scan using users_tenant_search_index/);
    expect(matching).toMatch(/Heap Fetches: 0/);
    expect(matching).not.toMatch(/Seq Scan|Bitmap Heap Scan/);
    // The only rows read from the table are the page's, by primary key (one by one, or as a bitmap).
    expect(page).toMatch(/Index Scan (using|on) users_pkey/);
    expect(page).not.toMatch(/Seq Scan/);
  });

  it('keeps one plan for the search, and that plan still matches on the index alone', async () => {
    // Prepared, the search may run on one generic plan after five runs, whatever the tenant and
    // the words: it must be the same index-only walk.
    let statement: { sql: string; bindings: readonly unknown[] } | undefined;
    const onQuery = (query: { sql: string; bindings: readonly unknown[]; prepared?: string }) => void (query.prepared && (statement = query));
    knex.on('query', onQuery);
    try {
      await users.search(tenants[1]!, { q: 'smith', limit: 50 });
    } finally {
      knex.off('query', onQuery);
    }
    expect(statement).toBeDefined();
    let index = 0;
    const numbered = statement!.sql.replace(/\?/g, () => `$${++index}`);
    const plan = await knex.transaction(async (trx) => {
      await trx.raw('SET LOCAL plan_cache_mode = force_generic_plan');
      await trx.raw(`PREPARE generic_search AS ${numbered}`);
      // EXECUTE takes its values written out (a utility statement has no parameters).
      const execute = trx.raw(`EXECUTE generic_search(${statement!.bindings.map(() => '?').join(', ')})`, statement!.bindings as Knex.RawBinding[]).toString();
      const explained = await trx.raw<{ rows: { 'QUERY PLAN': string }[] }>(`EXPLAIN (ANALYZE) ${execute}`);
      await trx.raw('DEALLOCATE generic_search');
      return explained.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index Only Scan using users_tenant_search_index/);
    expect(plan).not.toMatch(/Seq Scan|Bitmap Heap Scan/);
  });

  it('takes the pattern characters of a search as text, not as wildcards', async () => {
    // No one's name, username or email holds any of them.
    for (const q of ['%', '_', '\\', '%smith', 'person_1\\']) expect(await users.search(tenants[0]!, { q, limit: 50 })).toEqual([]);
  });

  it('finds the same people, in the same order and pages, as matching every row', async () => {
    const everyRow = async (q: string) =>
      (await knex('users').where({ tenant_id: tenants[2] }).andWhere((w) => w.whereILike('name', `%${q}%`).orWhereILike('email', `%${q}%`)).orderByRaw(`date_trunc('milliseconds', created_at), id`)).map((u: { id: string }) => u.id);
    for (const q of ['smith', 'jones 1', '@example']) {
      const found: string[] = [];
      let after: { at: string; id: string } | undefined;
      for (;;) {
        const page = await users.search(tenants[2]!, { q, limit: 100, after });
        found.push(...page.slice(0, 100).map((u) => u.id));
        if (page.length <= 100) break;
        const last = page[99]!;
        after = { at: last.created_at.toISOString(), id: last.id };
      }
      expect(found).toEqual(await everyRow(q));
    }
  });
});
