import { createLogger } from '../../src/infrastructure/observability/logger.js';
import { JobQueue } from '../../src/infrastructure/queue/job-queue.js';
import type { Database } from '../../src/infrastructure/storage/database.js';
import { sleep } from '../../bench/support/processes.js';
import { openMigratedDatabase, type MigratedDatabase } from '../helpers/test-gatehouse.js';

/**
 * pg-boss writes a job's outcome (completed, or failed for a retry) after its handler returns,
 * and does not wait for that write. When the database stops answering just then, the write's
 * error has nobody to catch it, and Node ends the process on an unhandled rejection: one
 * database blip while an email was being sent took the whole replica down. The outcome is
 * lost instead, said in the log, and the job runs again once it expires (at least once).
 */
(process.env.TEST_DATABASE_URL ? describe : describe.skip)("a job whose outcome cannot be written (the database went away as it finished)", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(() => process.off('unhandledRejection', onUnhandled));

  for (const ending of ['succeeds', 'fails'] as const) {
    it(`${ending}: the process goes on, and the log says the outcome was lost`, async () => {
      const opened: MigratedDatabase = await openMigratedDatabase({ onServer: true });
      const database: Database = opened.database;
      const lines: string[] = [];
      const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
      const queue = await JobQueue.start(database.knex, { migrate: true, logger, pollingIntervalSeconds: 0.5 });
      try {
        await queue.define('outcome-lost', { retryLimit: 2, retryDelaySeconds: 1, expireInSeconds: 30 });
        let ran = 0;
        await queue.work('outcome-lost', 1, async () => {
          ran++;
          // The job's work is done (an email handed over); then the database goes away.
          await database.close();
          if (ending === 'fails') throw new Error('the mail server refused');
          return { sent: true };
        });
        await queue.enqueue('outcome-lost', { to: 'someone' }, database.knex);
        queue.wake('outcome-lost');
        const started = Date.now();
        while (!lines.some((line) => line.includes('job outcome not written')) && Date.now() - started < 10_000) await sleep(50);
        await sleep(300);
        expect(ran).toBe(1);
        expect(unhandled).toEqual([]);
        const lost = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'job outcome not written; the job runs again once it expires');
        expect(lost).toMatchObject({ queue: 'outcome-lost', outcome: ending === 'succeeds' ? 'completed' : 'failed' });
      } finally {
        await queue.stop(500).catch(() => undefined);
        await opened.dispose();
      }
    }, 30_000);
  }
});
