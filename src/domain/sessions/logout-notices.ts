import type { Knex } from 'knex';
import type { JobQueue, JobWriter } from '../../infrastructure/queue/job-queue.js';

/**
 * OpenID Connect Back-Channel Logout: a web app that registered a `backchannel_logout_uri` is
 * sent a signed logout token when a session of its user ends, so it can end its own session too.
 * Each token is a job of the same durable queue as the outbox's messages (pg-boss): written when
 * the session ends, sent by a worker on any replica, retried with backoff while the app is down.
 */
export const LOGOUT_NOTICE_QUEUE = 'backchannel-logout';

/** Ten attempts in all, the retries waiting about 5 s, 10 s, … doubling: about an hour of tries. */
export const LOGOUT_NOTICE_RETRIES = { retryLimit: 9, retryDelaySeconds: 5, expireInSeconds: 30 };

/** One logout token to send: to this client, about this user, and this session when known. */
export interface LogoutNotice {
  clientId: string;
  accountId: string;
  /** The session's id at the client (`sid` of its ID tokens); without it, every session of the user there ends. */
  sid?: string;
}

/** What the sender returns: the app accepted the token, or refused it for good (a 4xx). */
export type LogoutNoticeResult = { delivered: true; status: number } | { delivered: false; refused: string };

/** Where the notice to one app stands, as the administrator is told. */
export type LogoutNoticeStatus = 'delivered' | 'queued' | 'retrying' | 'failed';

export interface LogoutNoticeOutcome {
  status: LogoutNoticeStatus;
  /** Why the last attempt failed (retrying, failed). */
  reason?: string;
}

export class LogoutNotices {
  constructor(
    private readonly queue: Pick<JobQueue, 'enqueue' | 'wake' | 'outcome'>,
    private readonly knex: Knex,
  ) {}

  /** Queues one logout token per notice; returns the job ids, in order. */
  async send(notices: readonly LogoutNotice[], writer: JobWriter = this.knex): Promise<string[]> {
    const ids: string[] = [];
    for (const notice of notices) {
      const id = crypto.randomUUID();
      await this.queue.enqueue(LOGOUT_NOTICE_QUEUE, notice, writer, { id });
      ids.push(id);
    }
    if (notices.length) this.queue.wake(LOGOUT_NOTICE_QUEUE);
    return ids;
  }

  /**
   * The outcome of each job once its first attempt is over, or as it stands after `timeoutMs`:
   * an administrator's answer says which apps took the logout, and which are still being tried.
   */
  async outcomes(jobIds: readonly string[], timeoutMs: number): Promise<LogoutNoticeOutcome[]> {
    const deadline = Date.now() + timeoutMs;
    let current = await this.read(jobIds);
    for (let wait = 25; current.some((o) => o.status === 'queued') && Date.now() < deadline; wait = Math.min(wait * 2, 200)) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, Math.max(0, deadline - Date.now()))));
      current = await this.read(jobIds);
    }
    return current;
  }

  private async read(jobIds: readonly string[]): Promise<LogoutNoticeOutcome[]> {
    return Promise.all(
      jobIds.map(async (id): Promise<LogoutNoticeOutcome> => {
        const job = await this.queue.outcome(LOGOUT_NOTICE_QUEUE, id);
        if (!job) return { status: 'queued' };
        const output = job.output as (Partial<LogoutNoticeResult> & { message?: string }) | undefined;
        switch (job.state) {
          case 'completed':
            return output?.delivered === false ? { status: 'failed', reason: output.refused } : { status: 'delivered' };
          case 'retry':
            return { status: 'retrying', reason: output?.message };
          case 'failed':
          case 'cancelled':
            return { status: 'failed', reason: output?.message };
          default:
            return { status: 'queued' };
        }
      }),
    );
  }
}
