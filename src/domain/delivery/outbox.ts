import type { Knex } from 'knex';
import type { JobQueue, JobWriter } from '../../infrastructure/queue/job-queue.js';
import { isFinal, type MessageDraft, type MessageRecord, type SuppressionReason } from './message.js';
import type { MessageRepository } from './message.repository.js';

/** The job queue every message goes through; its job id is the message's id. */
export const DELIVERY_QUEUE = 'deliver-message';

/** Six attempts in all: the retries wait about 2, 4, 8, 16 and 32 seconds (with jitter). */
export const DELIVERY_RETRIES = { retryLimit: 5, retryDelaySeconds: 1, expireInSeconds: 60 };

/**
 * The one door of every email and SMS: a message is a row and a job, written together through
 * the caller's transaction when there is one, and sent by the delivery worker; or a row saying
 * which rule suppressed it. Callers that must tell the truth wait briefly for the outcome.
 */
export class Outbox {
  constructor(
    private readonly deps: {
      knex: Knex;
      messages: MessageRepository;
      queue: Pick<JobQueue, 'enqueue' | 'wake'>;
      now: () => Date;
      /** Told of every message a rule stopped (the metrics count them). */
      onSuppressed?: (channel: MessageDraft['channel'], reason: SuppressionReason) => void;
    },
  ) {}

  /**
   * Writes a queued message and its job. With a transaction, call `wake` after it commits (a
   * worker woken earlier would not see the job yet, and would only find it at its next poll).
   */
  async enqueue(draft: MessageDraft, writer?: JobWriter): Promise<MessageRecord> {
    const write = async (trx: JobWriter) => {
      const message = await this.deps.messages.insertQueued(draft, this.deps.now(), trx);
      await this.deps.queue.enqueue(DELIVERY_QUEUE, { messageId: message.id }, trx, { id: message.id });
      return message;
    };
    if (writer) return write(writer);
    const message = await this.deps.knex.transaction(write);
    this.wake();
    return message;
  }

  /** Records a message a rule stopped: nothing is sent, the row says why. */
  async suppress(draft: Omit<MessageDraft, 'payload' | 'code'>, reason: SuppressionReason, writer?: JobWriter): Promise<MessageRecord> {
    const message = await this.deps.messages.insertSuppressed(draft, reason, this.deps.now(), writer);
    this.deps.onSuppressed?.(draft.channel, reason);
    return message;
  }

  /** Fetches new jobs now rather than at the next poll. */
  wake(): void {
    this.deps.queue.wake(DELIVERY_QUEUE);
  }

  /**
   * The message once its fate is known, or as it stands after `timeoutMs`. `firstAttempt`: stop
   * at the first failed attempt too (the page can say "we are still trying").
   */
  async outcome(message: MessageRecord, timeoutMs: number, options: { firstAttempt?: boolean } = {}): Promise<MessageRecord> {
    if (isFinal(message.status)) return message;
    const deadline = Date.now() + timeoutMs;
    let current = message;
    for (let wait = 25; Date.now() < deadline; wait = Math.min(wait * 2, 200)) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, Math.max(0, deadline - Date.now()))));
      current = (await this.deps.messages.find(message.id)) ?? current;
      if (isFinal(current.status) || (options.firstAttempt && current.attempts > 0 && current.reason)) return current;
    }
    return current;
  }
}
