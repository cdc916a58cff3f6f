import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client';
import type { Logger } from './logger.js';
import { buildInfo } from './build-info.js';
import type { MetricsCollector } from './metrics-server.js';

/** A knex instance: emits `query` for every statement it sends. */
export interface QueryEmitter {
  on(event: 'query', listener: () => void): unknown;
}

/** An ioredis client: its current socket, replaced on reconnect. */
export interface WritableConnection {
  readonly stream?: { write: (...args: never[]) => boolean };
  on(event: 'connect', listener: () => void): unknown;
}

/** What the metrics read of an event of the event log (see domain/events). */
export interface ObservedEvent {
  type: string;
  client_kind?: string | null;
  reason?: string | null;
  details?: Record<string, unknown> | null;
}

export type MessageChannel = 'email' | 'sms';
export type MessageStatus = 'sent' | 'failed' | 'suppressed';

export interface SmsBudgetUse {
  tenant_id: string;
  tenant: string;
  sent: number;
  budget: number;
}

/** The pool of database connections (knex's tarn pool). */
export interface ConnectionPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
  max: number;
}

export interface SigningKeyAge {
  kid: string;
  alg: string;
  /** When a replica first started with this key signing. */
  since: Date;
}

/** Label values come from code (reason codes, client kinds), but a label is no place for anything longer or odd. */
const LABEL_VALUE = /^[A-Za-z0-9_.:/+=-]{1,64}$/;
function label(value: string | null | undefined, none = 'none'): string {
  if (value === null || value === undefined || value === '') return none;
  return LABEL_VALUE.test(value) ? value : 'other';
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** `token.refresh_denied` → the grant it refused. */
const REFUSED_GRANTS: Record<string, string> = {
  'token.refresh_denied': 'refresh_token',
  'token.code_denied': 'authorization_code',
  'token.device_code_denied': 'urn:ietf:params:oauth:grant-type:device_code',
  'token.client_credentials_denied': 'client_credentials',
  'client.auth_failed': 'client_authentication',
};

/**
 * Prometheus metrics (prom-client), served on their own port (METRICS_PORT): process defaults
 * plus Gatehouse's own. docs/operations.md describes every one. Counts of outcomes are fed
 * from the event log (`observeEvent`), so a metric and the audit trail never disagree.
 */
export class Metrics {
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status code, until the response is sent (probes are not counted)',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly eventsRecorded = new Counter({
    name: 'gatehouse_events_recorded_total',
    help: 'Events recorded in the event log, by type (written or not)',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  private readonly signIns = new Counter({
    name: 'gatehouse_sign_ins_total',
    help: 'Password sign-ins by outcome (succeeded, failed), client kind and reason',
    labelNames: ['outcome', 'client_kind', 'reason'] as const,
    registers: [this.registry],
  });

  private readonly secondFactor = new Counter({
    name: 'gatehouse_second_factor_total',
    help: 'SMS second-factor steps by outcome (code_sent, succeeded, failed, budget_exhausted), client kind and reason',
    labelNames: ['outcome', 'client_kind', 'reason'] as const,
    registers: [this.registry],
  });

  private readonly tokensIssued = new Counter({
    name: 'gatehouse_tokens_issued_total',
    help: 'Successful token endpoint requests by grant type and client kind',
    labelNames: ['grant', 'client_kind'] as const,
    registers: [this.registry],
  });

  private readonly tokenRefusals = new Counter({
    name: 'gatehouse_token_refusals_total',
    help: 'Refused token endpoint requests and failed client authentications by grant, client kind and reason',
    labelNames: ['grant', 'client_kind', 'reason'] as const,
    registers: [this.registry],
  });

  private readonly lockouts = new Counter({
    name: 'gatehouse_lockouts_total',
    help: 'Locks started, by scope (username, username_ip, ip) and cause (password, second_factor)',
    labelNames: ['scope', 'cause'] as const,
    registers: [this.registry],
  });

  private readonly messages = new Counter({
    name: 'gatehouse_messages_total',
    help: 'Emails and SMS by channel and status: sent, failed (the provider refused), suppressed (Gatehouse held it back: limits, budget, no address)',
    labelNames: ['channel', 'status', 'reason'] as const,
    registers: [this.registry],
  });

  constructor(build = buildInfo()) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'gatehouse_build_info',
      help: 'Always 1; the labels say which Gatehouse runs',
      labelNames: ['version', 'revision', 'node_version'] as const,
      // Every process of a cluster runs the same build (process-cluster.ts sums the rest).
      aggregator: 'first',
      registers: [this.registry],
    }).set({ version: build.version, revision: build.revision, node_version: process.version }, 1);
  }

  /** This process's figures, for its own metrics server. */
  collector(): MetricsCollector {
    return { contentType: this.registry.contentType, collect: () => this.registry.metrics() };
  }

  /** One answered request. Probes are left out: a pod that is not ready is not an error. */
  observeRequest(request: { route: string; method: string; status: number; seconds: number }): void {
    if (request.route === '/healthz' || request.route === '/readyz') return;
    this.httpDuration.observe({ route: request.route, method: METHODS.has(request.method) ? request.method : 'other', status: String(request.status) }, request.seconds);
  }

  /** One event of the event log. */
  observeEvent(event: ObservedEvent): void {
    this.eventsRecorded.inc({ type: label(event.type, 'unknown') });
    const kind = label(event.client_kind);
    const reason = label(event.reason);
    if (event.type === 'login.succeeded' || event.type === 'login.failed') {
      this.signIns.inc({ outcome: event.type.slice('login.'.length), client_kind: kind, reason });
    } else if (event.type.startsWith('mfa.')) {
      this.secondFactor.inc({ outcome: label(event.type.slice('mfa.'.length)), client_kind: kind, reason });
    } else if (REFUSED_GRANTS[event.type]) {
      this.tokenRefusals.inc({ grant: REFUSED_GRANTS[event.type]!, client_kind: kind, reason });
    } else if (event.type === 'account.locked') {
      this.lockouts.inc({ scope: reason, cause: label(typeof event.details?.cause === 'string' ? event.details.cause : undefined) });
    }
  }

  /** A token endpoint request that issued tokens (the provider's `grant.success`). */
  tokenIssued(grant: string | undefined, clientKind: string | undefined): void {
    this.tokensIssued.inc({ grant: label(grant, 'unknown'), client_kind: label(clientKind) });
  }

  /** An email or SMS: delivered to the provider, refused by it, or held back by Gatehouse. */
  message(channel: MessageChannel, status: MessageStatus, reason?: string): void {
    this.messages.inc({ channel, status, reason: label(reason) });
  }

  /**
   * The event log's health: events waiting to be written, and events lost because the queue was
   * full or the database refused them. A lost audit trail must page someone, so it is a counter
   * an alert can watch, read from the log whenever Prometheus scrapes.
   */
  watchEventLog(log: { readonly dropped: number; readonly queued: number }): void {
    let reported = 0;
    new Counter({
      name: 'gatehouse_events_dropped_total',
      help: 'Events that could not be written (queue full or database failing)',
      registers: [this.registry],
      collect() {
        const dropped = log.dropped;
        if (dropped > reported) this.inc(dropped - reported);
        reported = dropped;
      },
    });
    new Gauge({
      name: 'gatehouse_events_queued',
      help: 'Events waiting to be written to the database',
      registers: [this.registry],
      collect() {
        this.set(log.queued);
      },
    });
  }

  /** Connections of the PostgreSQL pool; pending acquisitions mean requests wait for one. */
  watchDatabasePool(pool: () => ConnectionPool | undefined): void {
    new Gauge({
      name: 'gatehouse_db_pool_connections',
      help: 'PostgreSQL pool connections by state: used, free, pending_acquire (a request waits), pending_create',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const current = pool();
        if (!current) return;
        this.set({ state: 'used' }, current.numUsed());
        this.set({ state: 'free' }, current.numFree());
        this.set({ state: 'pending_acquire' }, current.numPendingAcquires());
        this.set({ state: 'pending_create' }, current.numPendingCreates());
      },
    });
    new Gauge({
      name: 'gatehouse_db_pool_max',
      help: 'Most connections the PostgreSQL pool opens',
      registers: [this.registry],
      collect() {
        const current = pool();
        if (current) this.set(current.max);
      },
    });
  }

  /** Whether Redis is connected and ready, and how many errors its client reported. */
  watchRedis(redis: { readonly status: string; on(event: 'error', listener: (err: Error) => void): unknown }): void {
    new Gauge({
      name: 'gatehouse_redis_up',
      help: '1 while the Redis connection is ready, 0 otherwise',
      // Down when any process of a cluster finds it down.
      aggregator: 'min',
      registers: [this.registry],
      collect() {
        this.set(redis.status === 'ready' ? 1 : 0);
      },
    });
    const errors = new Counter({
      name: 'gatehouse_redis_errors_total',
      help: 'Errors reported by the Redis client (connection lost, refused, timed out)',
      registers: [this.registry],
    });
    redis.on('error', () => errors.inc());
  }

  /**
   * Round trips to PostgreSQL (statements: each waits for its answer) and to Redis (writes on its
   * connection: commands issued in the same tick travel together, see connectRedis). Divided by
   * the requests served, they are the round trips per request the benchmark prints; in
   * production a rise per request after a deploy is a regression nothing else shows.
   */
  watchStorageRoundTrips(stores: { postgres?: QueryEmitter; redis?: WritableConnection }): void {
    const trips = new Counter({
      name: 'gatehouse_storage_round_trips_total',
      help: 'Round trips to storage: PostgreSQL statements, and writes on the Redis connection (pipelined commands share one)',
      labelNames: ['store'] as const,
      registers: [this.registry],
    });
    stores.postgres?.on('query', () => trips.inc({ store: 'postgres' }));
    const redis = stores.redis;
    if (!redis) return;
    const counted = new WeakSet<object>();
    // ioredis opens a new socket on every reconnect: count on each.
    const countWrites = () => {
      const stream = redis.stream;
      if (!stream || counted.has(stream)) return;
      counted.add(stream);
      const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
      stream.write = ((...args: unknown[]) => {
        trips.inc({ store: 'redis' });
        return write(...args);
      }) as typeof stream.write;
    };
    countWrites();
    redis.on('connect', countWrites);
  }

  /**
   * Each tenant's SMS use of the month against its budget, read from the database when scraped
   * (every replica reports the same figures; alert on `max by (tenant)`). One read serves the
   * three gauges of a scrape; a failed read keeps the previous figures.
   */
  watchSmsBudgets(read: () => Promise<SmsBudgetUse[]>, logger: Logger, maxAgeMs = 10_000): void {
    let last: { at: number; rows: SmsBudgetUse[] } = { at: 0, rows: [] };
    let pending: Promise<SmsBudgetUse[]> | undefined;
    const current = async (): Promise<SmsBudgetUse[]> => {
      if (Date.now() - last.at < maxAgeMs) return last.rows;
      pending ??= read()
        .then((rows) => (last = { at: Date.now(), rows }).rows)
        .catch((err: unknown) => {
          logger.warn({ err }, 'could not read SMS budgets for metrics');
          return last.rows;
        })
        .finally(() => (pending = undefined));
      return pending;
    };
    const gauge = (name: string, help: string, value: (row: SmsBudgetUse) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['tenant_id', 'tenant'] as const,
        // Read from the shared database: every process of a cluster sees the same.
        aggregator: 'first',
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const row of await current()) {
            const v = value(row);
            if (v !== undefined) this.set({ tenant_id: row.tenant_id, tenant: row.tenant }, v);
          }
        },
      });
    gauge('gatehouse_sms_budget_used_ratio', "Share of the tenant's monthly SMS budget used this month (tenants with a budget)", (row) => (row.budget > 0 ? row.sent / row.budget : undefined));
    gauge('gatehouse_sms_sent_this_month', 'SMS sent for the tenant this calendar month (UTC)', (row) => row.sent);
    gauge('gatehouse_sms_monthly_budget', "The tenant's monthly SMS budget", (row) => row.budget);
  }

  /** Age of each key that signs tokens (the first key of each algorithm in JWKS). */
  watchSigningKeys(keys: () => SigningKeyAge[]): void {
    new Gauge({
      name: 'gatehouse_signing_key_age_seconds',
      help: 'Seconds since the signing key was first used by any replica',
      labelNames: ['kid', 'alg'] as const,
      // Every process of a cluster signs with the same keys.
      aggregator: 'max',
      registers: [this.registry],
      collect() {
        this.reset();
        for (const key of keys()) this.set({ kid: label(key.kid, 'unknown'), alg: label(key.alg, 'unknown') }, Math.max(0, (Date.now() - key.since.getTime()) / 1000));
      },
    });
  }
}
