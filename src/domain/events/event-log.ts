import type { Knex } from 'knex';
import type { Logger } from '../../infrastructure/observability/logger.js';
import { isUuid } from '../../infrastructure/storage/uuid.js';
import { isEventReason, isEventType, type GatehouseEvent } from './event-types.js';
import { currentRequestId } from '../../infrastructure/observability/request-context.js';
import { runPrepared, type PreparedStatement } from '../../infrastructure/storage/prepared-statements.js';

const MAX_QUEUED = 10_000;
const BATCH = 500;

/**
 * A batch of any size as one prepared statement (one array per column, `unnest`ed into rows):
 * every sign-in writes an event, and an `INSERT … VALUES` per batch size would be planned anew
 * each time, which cost PostgreSQL more than writing the row.
 */
const COLUMNS = ['at', 'type', 'tenant_id', 'user_id', 'client_id', 'client_kind', 'ip', 'user_agent', 'reason', 'actor', 'details', 'request_id'] as const;
const COLUMN_TYPES = ['timestamptz', 'text', 'uuid', 'uuid', 'text', 'text', 'text', 'text', 'text', 'jsonb', 'jsonb', 'text'] as const;
const INSERT_BATCH: PreparedStatement = {
  name: 'gh_insert_events',
  sql: `INSERT INTO events (${COLUMNS.join(', ')}) SELECT * FROM unnest(${COLUMN_TYPES.map((type) => `?::${type}[]`).join(', ')})`,
};

/**
 * Writes events in the background, in batches. A slow or failing database must never slow or
 * break a sign-in: the queue is bounded and what does not fit is dropped and counted. One row
 * the database refuses never costs the others: a refused batch is written again row by row.
 *
 * Administrator actions do not come through the queue: `writeIn` writes them in the
 * transaction of the change they record, so neither exists without the other.
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

  /** Writes one event now, within `db` (a transaction): it fails, and rolls back, with it. */
  async writeIn(db: Knex | Knex.Transaction, event: GatehouseEvent): Promise<void> {
    await db('events').insert(toEventRow({ ...event, at: new Date() }));
  }

  /** Writes one event now, outside the queue: for administrators' acts with no row of their own to share a transaction with. */
  async write(event: GatehouseEvent): Promise<void> {
    await this.writeIn(this.knex, event);
  }

  /**
   * Writes audit events now, inside the caller's transaction: they commit with the change they
   * record (a password set by an administrator, a sign-out), or not at all.
   */
  async writeWithin(trx: Knex.Transaction, events: GatehouseEvent[]): Promise<void> {
    if (events.length) await trx('events').insert(events.map((event) => toEventRow({ ...event, at: new Date() })));
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
        const rows = this.queue.splice(0, BATCH).map(toEventRow);
        try {
          await runPrepared(this.knex, INSERT_BATCH, COLUMNS.map((column) => rows.map((row) => row[column])));
        } catch {
          // Whatever one row did wrong, the rest of the batch is still worth keeping.
          for (const row of rows) await this.insertAlone(row);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async insertAlone(row: EventRow): Promise<void> {
    try {
      await this.knex('events').insert(row);
    } catch (err) {
      this.dropped++;
      // The message only: a stack per dropped row would flood the log of a database outage.
      this.logger.warn({ error: String((err as Error)?.message ?? err).slice(0, 200), type: row.type }, 'could not write an event');
    }
  }
}

export type EventRow = ReturnType<typeof toEventRow>;

/**
 * An event as a row PostgreSQL accepts whatever the event holds: a type or reason outside the
 * closed lists becomes `unknown` (the raw value kept, escaped, in details), ids that are not
 * UUIDs are kept in details instead, and text loses what PostgreSQL refuses (NUL, lone
 * surrogates) and what would only bloat the log.
 */
export function toEventRow(event: GatehouseEvent & { at: Date; request_id?: string }) {
  const extra: Record<string, string> = {};
  let type: string = event.type;
  if (!isEventType(type)) {
    extra.raw_type = escapeRaw(event.type);
    type = 'unknown';
  }
  let reason: string | null = event.reason ?? null;
  if (reason !== null && !isEventReason(reason)) {
    extra.raw_reason = escapeRaw(event.reason);
    reason = 'unknown';
  }
  const uuid = (name: string, value: unknown): string | null => {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string' && isUuid(value)) return value;
    extra[`raw_${name}`] = escapeRaw(value);
    return null;
  };
  const tenantId = uuid('tenant_id', event.tenant_id);
  const userId = uuid('user_id', event.user_id);
  const details = event.details && typeof event.details === 'object' ? { ...event.details, ...extra } : Object.keys(extra).length ? extra : null;
  return {
    at: event.at,
    type,
    tenant_id: tenantId,
    user_id: userId,
    client_id: text(event.client_id, 256),
    client_kind: text(event.client_kind, 32),
    ip: text(event.ip, 64),
    user_agent: text(event.user_agent, 512),
    reason,
    actor: json(event.actor),
    details: json(details),
    request_id: text(event.request_id ?? currentRequestId(), 128),
  };
}

function text(value: unknown, max: number): string | null {
  if (value === null || value === undefined) return null;
  return clean(typeof value === 'string' ? value : String(value)).slice(0, max);
}

/** PostgreSQL's text and jsonb refuse NUL; a lone surrogate is not UTF-8. */
function clean(value: string): string {
  return value.replace(/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function json(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? clean(v).slice(0, 2000) : typeof v === 'bigint' ? String(v) : v)) ?? null;
  } catch {
    return JSON.stringify({ unreadable: true });
  }
}

/** A raw value as printable ASCII, bounded: safe to show in an admin screen or a log. */
function escapeRaw(value: unknown): string {
  const raw = typeof value === 'string' ? value : `[${typeof value}${typeof value === 'function' && value.name ? ` ${value.name}` : ''}]`;
  return raw
    .slice(0, 200)
    .replace(/[^\x20-\x7e]|\\/g, (c) => (c === '\\' ? '\\\\' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
