import { migrateToLatest } from '../../migrations/migrator.js';
import { migrations } from '../../migrations/index.js';
import { openDatabase, type Database } from '../../src/infrastructure/storage/database.js';
import { createScratchDatabase } from '../helpers/test-gatehouse.js';

const describeOnPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

/**
 * Replicas of a deploy migrate at start, together; a migration step can be killed half-way (a
 * pod evicted during an index build). Neither may leave a database that the next start refuses.
 */
describeOnPostgres('the migrator', () => {
  const opened: Database[] = [];
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const database of opened) await database.close();
    for (const drop of drops) await drop();
  });

  async function scratch(): Promise<string> {
    const created = await createScratchDatabase(process.env.TEST_DATABASE_URL!);
    drops.push(created.drop);
    return created.url;
  }
  async function open(url: string): Promise<Database> {
    const database = await openDatabase({ url });
    opened.push(database);
    return database;
  }

  it('lets three replicas starting together apply each migration once', async () => {
    const url = await scratch();
    const replicas = await Promise.all([open(url), open(url), open(url)]);
    const applied = await Promise.all(replicas.map((replica) => migrateToLatest(replica.knex)));
    // One replica applied everything; the others found nothing left to do.
    expect(applied.map((names) => names.length).sort((a, b) => a - b)).toEqual([0, 0, migrations.length]);
    const recorded = await replicas[0]!.knex('knex_migrations').select('name');
    expect(recorded).toHaveLength(migrations.length);
  }, 60_000);

  it('starts after a run that was killed while holding knex\'s own lock', async () => {
    const url = await scratch();
    const database = await open(url);
    await migrateToLatest(database.knex);
    // What a run killed half-way leaves: the lock row taken, the last migration not recorded.
    const last = migrations.at(-1)!.name;
    await database.knex('knex_migrations_lock').update({ is_locked: 1 });
    await database.knex('knex_migrations').where({ name: last }).delete();

    expect(await migrateToLatest(database.knex)).toEqual([last]);
    expect((await database.knex('knex_migrations_lock').first()).is_locked).toBe(0);
  }, 60_000);
});
