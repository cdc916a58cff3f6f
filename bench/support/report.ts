import type { Measurement } from './window.js';

export interface Row {
  scenario: string;
  target: string;
  measured: Measurement;
}

export interface Comparison {
  /** What is divided by what. */
  label: string;
  ratio: number;
  /** The figures behind the ratio, and what DESIGN §9 asks of it. */
  detail: string;
  /** The two measurements divided, to flag a ratio taken on a busy machine. */
  of: [Measurement, Measurement];
}

/** Above this share of the machine taken by other work, a row is not a clean figure. */
export const BUSY_MACHINE = 0.1;

const busy = (measured: Measurement) => (measured.otherCpu ?? 0) > BUSY_MACHINE;

const COLUMNS = ['scenario', 'target', 'per s', 'p50 ms', 'p99 ms', 'ok', 'failed', 'other CPU', 'PG / Redis trips', 'CPU µs per op: server / PG / Redis / load', 'RSS MB'] as const;

/** The figures as a plain-text table, then the ratios, then why anything failed. */
export function renderReport(header: string[], rows: Row[], comparisons: Comparison[]): string {
  const cells = rows.map((row) => [
    row.scenario,
    row.target,
    rate(row.measured.perSecond),
    millis(row.measured.p50),
    millis(row.measured.p99),
    String(row.measured.ok),
    String(row.measured.failed),
    row.measured.otherCpu === undefined ? '—' : `${Math.round(row.measured.otherCpu * 100)}%${busy(row.measured) ? ' !' : ''}`,
    row.measured.roundTrips ? `${row.measured.roundTrips.postgres.toFixed(2)} / ${row.measured.roundTrips.redis.toFixed(2)}` : '—',
    cpuCell(row.measured),
    memoryCell(row.measured.memory),
  ]);
  const widths = COLUMNS.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const line = (values: readonly string[]) =>
    values.map((value, column) => (column < 2 ? value.padEnd(widths[column]!) : value.padStart(widths[column]!))).join('  ');

  const out = [...header, '', line(COLUMNS), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line), ''];
  const labelWidth = Math.max(...comparisons.map((c) => c.label.length));
  for (const comparison of comparisons) {
    const flag = comparison.of.some(busy) ? '  ! busy machine' : '';
    out.push(`${comparison.label.padEnd(labelWidth)}  ${Number.isFinite(comparison.ratio) ? comparison.ratio.toFixed(2) : '  — '}  ${comparison.detail}${flag}`);
  }
  if (rows.some((row) => busy(row.measured))) {
    out.push('', `! other work took more than ${BUSY_MACHINE * 100}% of the machine during that window: not a clean figure; rerun when the machine is quiet.`);
  }
  const failing = rows.filter((row) => row.measured.failures.length);
  if (failing.length) {
    out.push('', 'Failures (these operations are not in the figures above):');
    for (const row of failing) out.push(`  ${row.scenario} / ${row.target}: ${row.measured.failures.slice(0, 5).join('; ')}`);
  }
  return out.join('\n');
}

/** CPU time per successful operation of each part, in microseconds (all its threads and processes). */
function cpuCell(measured: Measurement): string {
  const { cpu, ok } = measured;
  if (!cpu || !ok) return '—';
  const each = (seconds: number) => String(Math.round((seconds * 1e6) / ok));
  return [cpu.server, cpu.postgres, cpu.redis, cpu.loadGenerator].map(each).join(' / ');
}

/** `140` for one process; `45 + 2×150` for a cluster's primary and its processes. */
function memoryCell(memory: Measurement['memory']): string {
  if (!memory) return '—';
  const main = Math.round(memory.mainMb);
  if (!memory.childrenMb.length) return String(main);
  const each = Math.round(memory.childrenMb.reduce((sum, mb) => sum + mb, 0) / memory.childrenMb.length);
  return `${main} + ${memory.childrenMb.length}×${each}`;
}

export function rate(perSecond: number): string {
  return perSecond >= 100 ? Math.round(perSecond).toString() : perSecond.toFixed(1);
}

/** `99.97 %`: two decimals, since the share of interest is close to all. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}

export function millis(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms >= 100 ? Math.round(ms).toString() : ms.toFixed(1);
}
