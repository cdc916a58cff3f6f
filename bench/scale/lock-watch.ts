import pg from 'pg';

export interface LockWaits {
  /** Longest time one statement was seen waiting on a lock (ms; within one sampling interval). */
  longestMs: number;
  /** Statements seen waiting on a lock at least once. */
  waits: number;
  /** Of those, waits on a lock the cleanup's own connection held. */
  onCleanup: number;
  /** The statement that waited longest, shortened. */
  longestQuery?: string;
  samples: number;
}

const SAMPLE_MS = 50;

/**
 * Watches every connection of one database for waits on locks (`wait_event_type = 'Lock'`),
 * every 50 ms, and who blocks them (`pg_blocking_pids`): how long a sign-in or refresh stood
 * behind another transaction. A wait shorter than the interval may go unseen; a wait seen is
 * timed from its first to its last sighting plus one interval (an upper bound).
 */
export class LockWatch {
  private readonly seen = new Map<string, { first: number; last: number; query: string; onCleanup: boolean }>();
  private samples = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private running?: Promise<void>;

  private constructor(
    private readonly client: pg.Client,
    private readonly database: string,
    private readonly cleanupPids: () => readonly number[],
  ) {}

  static async start(adminUrl: string, database: string, cleanupPids: () => readonly number[]): Promise<LockWatch> {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    const watch = new LockWatch(client, database, cleanupPids);
    watch.schedule();
    return watch;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sample().finally(() => this.schedule());
    }, SAMPLE_MS);
  }

  private async sample(): Promise<void> {
    const { rows } = await this.client.query<{ pid: number; query_start: Date; query: string; blockers: number[] }>(
      `SELECT pid, query_start, left(query, 100) AS query, pg_blocking_pids(pid) AS blockers
       FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
      [this.database],
    );
    this.samples += 1;
    const now = Date.now();
    const cleanup = new Set(this.cleanupPids());
    for (const row of rows) {
      const key = `${row.pid}:${row.query_start?.getTime()}`;
      const entry = this.seen.get(key) ?? { first: now, last: now, query: row.query, onCleanup: false };
      entry.last = now;
      entry.onCleanup ||= row.blockers.some((pid) => cleanup.has(pid));
      this.seen.set(key, entry);
    }
  }

  async stop(): Promise<LockWaits> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.client.end();
    let longest = { ms: 0, query: undefined as string | undefined };
    let onCleanup = 0;
    for (const wait of this.seen.values()) {
      const ms = wait.last - wait.first + SAMPLE_MS;
      if (ms > longest.ms) longest = { ms, query: wait.query };
      if (wait.onCleanup) onCleanup += 1;
    }
    return { longestMs: longest.ms, waits: this.seen.size, onCleanup, longestQuery: longest.query, samples: this.samples };
  }
}
