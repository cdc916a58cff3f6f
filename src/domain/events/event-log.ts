import type { Knex } from 'knex';
import type { Logger } from '../../infrastructure/observability/logger.js';
import { currentRequestId } from '../../infrastructure/observability/request-context.js';
import type { GatehouseEvent } from './event-types.js';

const MAX_QUEUED = 10_000;
const BATCH = 500;

/**
 * Writes events in the background, in batches. A slow or failing database must never slow or
 * break a sign-in: the queue is bounded and what does not fit is dropped and counted.
 */
export class EventLog {
  private queue: (GatehouseEvent & { at: Date; request_id?: string })[] = [];
  private readonly observers: ((event: GatehouseEvent) => void)[] = [];
  private flushing?: Promise<void>;
  dropped = 0;

  constructor(
    private readonly knex: Knex,
    private readonly logger: Logger,
  ) {}

  /**
   * Calls `observer` with every event recorded from now on, written or dropped (metrics count
   * outcomes from here). An observer that throws is ignored: it must not fail the recording.
   */
  observe(observer: (event: GatehouseEvent) => void): void {
    this.observers.push(observer);
  }

  /** Queues the event, stamped with the time and the id of the request being handled, if any. */
  record(event: GatehouseEvent): void {
    for (const observer of this.observers) {
      try {
        observer(event);
      } catch (err) {
        this.logger.warn({ err, type: event.type }, 'an event observer failed');
      }
    }
    if (this.queue.length >= MAX_QUEUED) {
      this.dropped++;
      return;
    }
    this.queue.push({ ...event, at: new Date(), request_id: currentRequestId() });
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  /** Events waiting to be written (a gauge: a growing queue means the database is slow). */
  get queued(): number {
    return this.queue.length;
  }

  /** Resolves once everything recorded so far is written (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, BATCH);
        try {
          await this.knex('events').insert(batch.map(toRow));
        } catch (err) {
          this.dropped += batch.length;
          this.logger.warn({ err, dropped: batch.length }, 'could not write events');
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}

function toRow(event: GatehouseEvent & { at: Date; request_id?: string }) {
  return {
    at: event.at,
    type: event.type,
    tenant_id: event.tenant_id ?? null,
    user_id: event.user_id ?? null,
    client_id: event.client_id ?? null,
    client_kind: event.client_kind ?? null,
    ip: event.ip ?? null,
    user_agent: event.user_agent?.slice(0, 512) ?? null,
    reason: event.reason ?? null,
    actor: event.actor ? JSON.stringify(event.actor) : null,
    details: event.details ? JSON.stringify(event.details) : null,
    request_id: event.request_id ?? null,
  };
}
