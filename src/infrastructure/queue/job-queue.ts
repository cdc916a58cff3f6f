import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import PgBoss from 'pg-boss';
import { currentRequestId, runInRequest } from '../observability/request-context.js';
import type { Logger } from '../observability/logger.js';

/**
 * The two statements by which pg-boss writes what became of a job (completed; failed, to be
 * retried), as it spells them for its default schema. pg-boss 10 does not wait for them after
 * a handler returns, so their errors must not leave the executor (see `executorOf`). Its SQL
 * module is read, not copied, so an upgrade that changes the statements changes these too.
 */
const bossPlans = createRequire(import.meta.url)('pg-boss/src/plans.js') as { completeJobs(schema: string): string; failJobsById(schema: string): string };
const OUTCOME_WRITES = new Map([
  [bossPlans.completeJobs('pgboss'), 'completed'],
  [bossPlans.failJobsById('pgboss'), 'failed'],
]);

/** Where a job keeps the id of the request that queued it (taken off before its handler sees it). */
const ORIGIN_REQUEST_ID = 'origin_request_id';

/** Where a job is written: the pool, or an open transaction (the job then commits with it). */
export type JobWriter = Knex | Knex.Transaction;

export interface QueueDefinition {
  /** Attempts after the first one. */
  retryLimit: number;
  /** Seconds before the first retry; each further retry waits about twice as long (with jitter). */
  retryDelaySeconds: number;
  /** An attempt still running after this long (a replica died mid-send) is retried elsewhere. */
  expireInSeconds: number;
}

export interface JobOutcome {
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  retryCount: number;
  /** What the handler returned (completed), or the error of the last attempt (retry, failed). */
  output?: Record<string, unknown>;
}

export interface JobAttempt<T> {
  id: string;
  data: T;
  /** 0 on the first attempt. */
  retryCount: number;
  retryLimit: number;
}

/**
 * Durable jobs in PostgreSQL through pg-boss: a job is a row, so it survives restarts; replicas
 * fetch with `FOR UPDATE SKIP LOCKED`, so each job runs on one of them; a failed attempt is
 * retried with exponential backoff. pg-boss speaks through the application's own pool (and
 * transactions), so the embedded database serves it like any other client; it polls instead
 * of listening, which the embedded database could not deliver across connections.
 */
export class JobQueue {
  private readonly workers = new Map<string, string[]>();

  private constructor(
    private readonly boss: PgBoss,
    private readonly pollingIntervalSeconds: number,
  ) {}

  /** `migrate`: create or upgrade the queue's schema (off when a separate job migrates). */
  static async start(knex: Knex, options: { migrate: boolean; logger: Logger; pollingIntervalSeconds?: number }): Promise<JobQueue> {
    const boss = new PgBoss({ db: executorOf(knex, options.logger), migrate: options.migrate, schedule: false, supervise: true });
    boss.on('error', (err: Error) => options.logger.warn({ err: err.message }, 'job queue error'));
    await boss.start();
    return new JobQueue(boss, options.pollingIntervalSeconds ?? 1);
  }

  /** Creates the queue's schema and exits: `npm run migrate`, like the tables of Gatehouse. */
  static async migrate(knex: Knex): Promise<void> {
    const boss = new PgBoss({ db: executorOf(knex), migrate: true, schedule: false, supervise: false });
    await boss.start();
    await boss.stop({ graceful: false, close: false });
  }

  async define(name: string, definition: QueueDefinition): Promise<void> {
    const options = { name, retryLimit: definition.retryLimit, retryDelay: definition.retryDelaySeconds, retryBackoff: true, expireInSeconds: definition.expireInSeconds };
    if (await this.boss.getQueue(name)) await this.boss.updateQueue(name, options);
    else await this.boss.createQueue(name, options);
  }

  /** Writes a job; with a transaction it exists only if that commits. `id` makes it unique. */
  async enqueue<T extends object>(name: string, data: T, writer: JobWriter, options: { id?: string } = {}): Promise<void> {
    const requestId = currentRequestId();
    const payload = requestId ? { ...data, [ORIGIN_REQUEST_ID]: requestId } : data;
    await this.boss.send(name, payload, { id: options.id, db: executorOf(writer) });
  }

  /**
   * Runs `handler` on up to `concurrency` jobs at a time; a thrown error schedules a retry. What
   * the handler returns is kept with the finished job (see `outcome`).
   */
  async work<T extends object>(name: string, concurrency: number, handler: (job: JobAttempt<T>) => Promise<object | void>): Promise<void> {
    const ids: string[] = [];
    for (let i = 0; i < concurrency; i++) {
      ids.push(
        await this.boss.work<T>(name, { pollingIntervalSeconds: this.pollingIntervalSeconds, batchSize: 1, includeMetadata: true }, async ([job]) => {
          if (!job) return undefined;
          // The attempt runs as part of the request that queued it: its log lines carry that
          // request's id, so support can follow a sign-out or a reset to its email or logout token.
          const { [ORIGIN_REQUEST_ID]: origin, ...data } = job.data as T & { [ORIGIN_REQUEST_ID]?: string };
          const attempt = () => handler({ id: job.id, data: data as T, retryCount: job.retryCount, retryLimit: job.retryLimit });
          return typeof origin === 'string' ? runInRequest({ requestId: origin }, attempt) : attempt();
        }),
      );
    }
    this.workers.set(name, ids);
  }

  /** Where a job stands, with what its handler returned once it finished; undefined if unknown. */
  async outcome(name: string, id: string): Promise<JobOutcome | undefined> {
    const job = await this.boss.getJobById(name, id, { includeArchive: true });
    if (!job) return undefined;
    return { state: job.state, retryCount: job.retryCount, output: (job as { output?: unknown }).output as Record<string, unknown> | undefined };
  }

  /** A job was just written here: fetch it now rather than at the next poll. */
  wake(name: string): void {
    const idle = this.workers.get(name);
    if (idle?.length) this.boss.notifyWorker(idle[Math.floor(Math.random() * idle.length)]!);
  }

  /** Stops fetching, lets running jobs finish for up to `timeoutMs`; unfinished ones are retried later. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.boss.stop({ graceful: true, close: false, wait: true, timeout: timeoutMs });
  }
}

/**
 * pg-boss runs its SQL through this: the knex pool, or the connection of an open transaction.
 * With `logger` (the workers' executor), a job's outcome that cannot be written is logged and
 * dropped instead of thrown: pg-boss would leave that error unhandled, and Node would end the
 * process for it. The job stays active, expires, and runs again (jobs run at least once).
 */
function executorOf(writer: JobWriter, logger?: Logger) {
  const run = async (text: string, values: unknown[]) => {
    const connection = await writer.client.acquireConnection();
    try {
      return await connection.query(text, values);
    } finally {
      await writer.client.releaseConnection(connection);
    }
  };
  return {
    async executeSql(text: string, values: unknown[]) {
      const outcome = logger && OUTCOME_WRITES.get(text);
      if (!outcome) return run(text, values);
      try {
        return await run(text, values);
      } catch (err) {
        logger.warn({ err: (err as Error)?.message, queue: values[0], outcome }, 'job outcome not written; the job runs again once it expires');
        return { rows: [{ count: 0 }] };
      }
    },
  };
}
