import type { Knex } from 'knex';
import { migrateToLatest } from '../../migrations/migrator.js';
import { UserRepository } from '../../src/domain/users/user.repository.js';
import { openDatabase, type Database } from '../../src/infrastructure/storage/database.js';
import { createScratchDatabase } from '../helpers/test-gatehouse.js';

const describeOnPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

/**
 * The admin search of a tenant's people matches on the tenant's search index alone and reads
 * only the page's rows from the table: people of many tenants lie interleaved in `users`, so
 * matching row by row would read a table page per person of the tenant.
 */
describeOnPostgres('the search of a tenant\'s people', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let knex: Knex;
  let users: UserRepository;
  const tenants: string[] = [];

  beforeAll(async () => {
    const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL!);
    drop = scratch.drop;
    database = await openDatabase({ url: scratch.url });
    knex = database.knex;
    await migrateToLatest(knex);
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
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  async function planOf(search: () => Promise<unknown>): Promise<string> {
    let statement: { sql: string; bindings: readonly unknown[] } | undefined;
    const onQuery = (query: { sql: string; bindings: readonly unknown[] }) => (statement = query);
    knex.on('query', onQuery);
    try {
      await search();
    } finally {
      knex.off('query', onQuery);
    }
    const plan = await knex.raw<{ rows: { 'QUERY PLAN': string }[] }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement!.sql.replace(/\$\d+/g, '?')}`, statement!.bindings as Knex.RawBinding[]);
    return plan.rows.map((row) => row['QUERY PLAN']).join('\n');
  }

  it('matches on the index alone and reads only the page from the table', async () => {
    const plan = await planOf(() => users.search(tenants[1]!, { q: 'smith', limit: 50 }));
    expect(plan).toMatch(/Index Only Scan using users_tenant_search_index/);
    expect(plan).toMatch(/Heap Fetches: 0/);
    // The only rows read from the table are the page's, by primary key.
    expect(plan).toMatch(/Index Scan using users_pkey/);
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
