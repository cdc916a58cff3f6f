import { performance } from 'node:perf_hooks';

/** Where the CPU of a window went, in CPU seconds (all threads, user + system). */
export interface CpuSplit {
  /** The server under test: its process and every process it started (a cluster's). */
  server: number;
  /** Every PostgreSQL process (backends, WAL writer, checkpointer, autovacuum). */
  postgres: number;
  /** Every Redis server process. */
  redis: number;
  /** The bench's own process: the load generator. */
  loadGenerator: number;
}

/** What one scenario measured on one target, inside its window. */
export interface Measurement {
  /** Successful operations completed per second of window. */
  perSecond: number;
  /** Latency of successful operations, in milliseconds. */
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  /** Why operations failed, most frequent first ("400 invalid_grant ×3"). */
  failures: string[];
  /** Share of the machine that other work took during the window (foreign-cpu.ts), when known. */
  otherCpu?: number;
  /** CPU seconds the server, PostgreSQL, Redis and the load generator used in the window (foreign-cpu.ts). */
  cpu?: CpuSplit;
  /** Gatehouse's round trips to storage per request during the window (server-counts.ts). */
  roundTrips?: { postgres: number; redis: number };
  /** Share of requests Gatehouse answered within 25 ms by its own clock (server-counts.ts). */
  serverShareWithin25Ms?: number;
  /** The server's resident memory as the window closed (memory.ts). */
  memory?: { mainMb: number; childrenMb: number[] };
  /** Open loop at this many requests per second (below the peak); absent for the peak itself. */
  offeredRate?: number;
}

/**
 * A measuring window that opens after the warm-up and stays open for a fixed time. Load runs
 * longer than the window; only operations that end inside it count. In a steady state that is
 * unbiased: operations cut off at the closing edge are balanced by those already under way at
 * the opening edge, which a "completed / elapsed" count of a cold run would miss. That matters
 * for sign-ins, where a few connections each take a large part of a second per operation.
 */
export class MeasurementWindow {
  readonly opensAt: number;
  readonly closesAt: number;
  private readonly latencies: number[] = [];
  private readonly reasons = new Map<string, number>();
  private failed = 0;

  constructor(
    warmupSeconds: number,
    readonly seconds: number,
  ) {
    this.opensAt = performance.now() + warmupSeconds * 1000;
    this.closesAt = this.opensAt + seconds * 1000;
  }

  /** Seconds from now until the window closes: how long load must keep running. */
  get secondsLeft(): number {
    return Math.max(0, (this.closesAt - performance.now()) / 1000);
  }

  private isOpen(): boolean {
    const now = performance.now();
    return now >= this.opensAt && now <= this.closesAt;
  }

  succeeded(latencyMs: number): void {
    if (this.isOpen()) this.latencies.push(latencyMs);
  }

  /** A refusal, an unexpected status or a broken flow; `reason` groups them in the report. */
  failedWith(reason: string): void {
    if (!this.isOpen()) return;
    this.failed += 1;
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  summary(): Measurement {
    const sorted = Float64Array.from(this.latencies).sort();
    return {
      perSecond: sorted.length / this.seconds,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      ok: sorted.length,
      failed: this.failed,
      failures: [...this.reasons].sort((a, b) => b[1] - a[1]).map(([reason, count]) => `${reason} ×${count}`),
    };
  }
}

/** Nearest-rank percentile of sorted values; NaN when nothing was measured. */
function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
