import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import type { Database } from '../../src/infrastructure/storage/database.js';
import { RunningProcess } from '../helpers/child-process.js';
import { openMigratedDatabase, type MigratedDatabase } from '../helpers/test-gatehouse.js';

const describeWithPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;
const runner = fileURLToPath(new URL('../../bench/support/source-runner/register.mjs', import.meta.url));
const command = fileURLToPath(new URL('../../src/cleanup.ts', import.meta.url));

/** `node dist/src/cleanup.js` (here from its sources): what a scheduled job runs when CLEANUP_INTERVAL_MINUTES=0. */
async function runCleanup(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const run = RunningProcess.start('cleanup', process.execPath, ['--import', runner, command], { env: { LOG_LEVEL: 'info', ...env } });
  const code = await run.exitCode(50_000);
  return { code, output: run.output.join('\n') };
}

describeWithPostgres('the cleanup command', () => {
  let opened: MigratedDatabase;
  let database: Database;
  let knex: Knex;

  beforeAll(async () => {
    opened = await openMigratedDatabase({ onServer: true });
    database = opened.database;
    knex = database.knex;
  });
  afterAll(async () => opened?.dispose());

  it('deletes what expired, keeps what lives, says what it deleted and exits', async () => {
    const artifact = (id: string, expiresAt: Date) => ({ type: 'AccessToken', id, payload: {}, expires_at: expiresAt });
    await knex('oidc_artifacts').insert([artifact('gone-1', new Date(Date.now() - 60_000)), artifact('gone-2', new Date(Date.now() - 1_000)), artifact('kept', new Date(Date.now() + 3_600_000))]);
    await knex('ephemeral_marks').insert({ key: 'old-mark', value: '1', expires_at: new Date(Date.now() - 1_000) });

    const { code, output } = await runCleanup({ DATABASE_URL: opened.url! });

    expect(code).toBe(0);
    expect((await knex('oidc_artifacts').whereIn('id', ['gone-1', 'gone-2', 'kept']).pluck('id')).sort()).toEqual(['kept']);
    expect(await knex('ephemeral_marks').where({ key: 'old-mark' }).first()).toBeUndefined();
    const line = output.split('\n').find((l) => l.includes('expired data cleaned up'));
    expect(JSON.parse(line!).deleted).toMatchObject({ oidc_artifacts: 2, ephemeral_marks: 1 });
  }, 60_000);

  it('says why it cannot run, with a non-zero exit', async () => {
    const { code, output } = await runCleanup({ DATABASE_URL: 'mysql://nowhere/db' });
    expect(code).toBe(1);
    expect(output).toMatch(/gatehouse: cleanup failed: DATABASE_URL/);
  }, 60_000);
});
