import type { Knex } from 'knex';
import type { Logger } from '../../infrastructure/observability/logger.js';
import type { GatehouseEvent } from './event-types.js';

const MAX_QUEUED = 10_000;
const BATCH = 500;

/**
 * Writes events in the background, in batches. A slow or failing database must never slow or
 * break a sign-in: the queue is bounded and what does not fit is dropped and counted.
 */
export class EventLog {
  private queue: (GatehouseEvent & { at: Date })[] = [];
  private flushing?: Promise<void>;
  dropped = 0;

  constructor(
    private readonly knex: Knex,
    private readonly logger: Logger,
  ) {}

  record(event: GatehouseEvent): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.dropped++;
      return;
    }
    this.queue.push({ ...event, at: new Date() });
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  /**
   * Writes audit events now, inside the caller's transaction: they commit with the change they
   * record (a password set by an administrator, a sign-out), or not at all.
   */
  async writeWithin(trx: Knex.Transaction, events: GatehouseEvent[]): Promise<void> {
    if (events.length) await trx('events').insert(events.map((event) => toRow({ ...event, at: new Date() })));
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

function toRow(event: GatehouseEvent & { at: Date }) {
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
  };
}
