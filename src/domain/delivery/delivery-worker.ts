import type { Courier } from '../../infrastructure/courier/courier.js';
import { DeliveryError } from '../../infrastructure/courier/courier.js';
import type { Logger } from '../../infrastructure/observability/logger.js';
import type { JobAttempt } from '../../infrastructure/queue/job-queue.js';
import type { OneTimeCodeStore } from '../one-time-codes/one-time-code.store.js';
import { maskContacts } from '../users/contact-masking.js';
import type { MessageRecord, SuppressionReason } from './message.js';
import type { MessageRepository } from './message.repository.js';

/**
 * Sends one queued message (a job of the delivery queue). A code that expired or was replaced
 * by a newer one is not sent. A provider that refuses for good fails the message at once; one
 * that throttles or errs gets the job retried with backoff, until the last attempt fails it.
 */
export class DeliveryWorker {
  constructor(private readonly deps: { messages: MessageRepository; courier: Courier; codes: OneTimeCodeStore; logger: Logger; now: () => Date }) {}

  async deliver(job: JobAttempt<{ messageId: string }>): Promise<void> {
    const { messages, now } = this.deps;
    const queued = await messages.find(job.data.messageId);
    // Final already (sent by an attempt whose completion was lost, or suppressed): nothing to do.
    if (!queued || queued.status !== 'queued') return;

    const stale = await this.staleCode(queued);
    if (stale) return messages.finish(queued.id, { status: 'suppressed', reason: stale }, now());

    const message = await messages.startAttempt(queued.id, now());
    if (!message?.payload) return;
    try {
      const accepted = await this.send(message);
      await messages.finish(message.id, { status: 'sent', providerMessageId: accepted.providerMessageId }, now());
    } catch (err) {
      const failure = err instanceof DeliveryError ? err : new DeliveryError(`Error: ${(err as Error).message ?? 'unknown'}`.slice(0, 500), true);
      const reason = maskContacts(failure.reason);
      const last = job.retryCount >= job.retryLimit;
      this.deps.logger.warn({ messageId: message.id, channel: message.channel, purpose: message.purpose, attempt: message.attempts, reason, final: last || !failure.retryable }, 'message delivery failed');
      if (!failure.retryable || last) return messages.finish(message.id, { status: 'failed', reason }, now());
      await messages.noteRetry(message.id, reason, now());
      throw failure;
    }
  }

  private send(message: MessageRecord) {
    const payload = message.payload!;
    if (message.channel === 'sms') return this.deps.courier.sendSms({ to: message.destination, text: payload.text });
    if (!('subject' in payload)) throw new DeliveryError('Gatehouse: an email without a subject', false);
    return this.deps.courier.sendEmail({ to: message.destination, subject: payload.subject, text: payload.text, html: payload.html });
  }

  /** The code in the message is no longer the slot's newest, or has expired. */
  private async staleCode(message: MessageRecord): Promise<SuppressionReason | undefined> {
    if (!message.code_owner_id) return undefined;
    const slot = await this.deps.codes.find(message.code_owner_id);
    if (!slot || !slot.code_hash || slot.code_hash !== message.code_hash) return 'superseded';
    if (!slot.code_expires_at || slot.code_expires_at <= this.deps.now()) return 'expired';
    return undefined;
  }
}
