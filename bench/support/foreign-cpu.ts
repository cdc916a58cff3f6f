import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { CpuSplit, MeasurementWindow } from './window.js';

// The services a run itself drives: their CPU is part of what is measured, not a disturbance.
const SERVICES = new Set(['postgres', 'redis-server']);

export interface CpuUse {
  /** Share of all cores that other work took (0.5 = one of two cores), when known. */
  other?: number;
  /** CPU seconds per part, when known. */
  split?: CpuSplit;
}

interface Sample {
  busy: number;
  total: number;
  /** CPU ticks so far of each process that counts as the bench's own. */
  ours: Map<number, number>;
  /** Which part each of those processes is. */
  parts: Map<number, keyof CpuSplit>;
}

/**
 * How much of the machine other work took while a window was open: CPU time of every process
 * except the bench, its server, PostgreSQL and Redis, as a fraction of all cores (0.5 = one of
 * two cores). The machine is shared (a compiler, a test run), and a figure measured while half
 * the cores were elsewhere is not a figure of Gatehouse. Counts every PostgreSQL and Redis
 * process as the bench's, so it errs low. Linux /proc only; undefined elsewhere.
 */
export async function foreignCpuDuring(window: MeasurementWindow, ownPids: number[]): Promise<number | undefined> {
  return (await cpuDuring(window, { bench: ownPids[0]!, server: ownPids[1] })).other;
}

/**
 * The same window's CPU, also split between the server, PostgreSQL, Redis and the load
 * generator: what a request costs each part, which throughput alone does not tell (a server
 * can be fast because the database does its work, or slow because the load generator starves
 * it of a core).
 */
export function cpuDuring(window: MeasurementWindow, pids: { bench: number; server?: number }): Promise<CpuUse> {
  const at = (time: number) =>
    new Promise<{ sample?: Sample; at: number }>((resolve) => setTimeout(() => resolve({ sample: sample(pids), at: performance.now() }), Math.max(0, time - performance.now())));
  return (async () => {
    // Reading /proc takes the load generator's thread for milliseconds: taken inside the window,
    // it would delay the answers it stalls and show in the window's p99. So the first reading
    // comes before the window opens (the stall's answers are in by then) and the last as it
    // closes; the CPU seconds are scaled to the window's length.
    const first = await at(window.opensAt - SAMPLE_LEAD_MS);
    const last = await at(window.closesAt);
    const start = first.sample;
    const end = last.sample;
    if (!start || !end || end.total <= start.total) return {};
    const scale = (window.seconds * 1000) / (last.at - first.at);
    // A process that ended meanwhile is left out (it would read as negative time); one that
    // started meanwhile (a new PostgreSQL backend, an autovacuum worker) counts in full.
    let ours = 0;
    const split: CpuSplit = { server: 0, postgres: 0, redis: 0, loadGenerator: 0 };
    for (const [pid, ticks] of end.ours) {
      const used = ticks - (start.ours.get(pid) ?? 0);
      ours += used;
      split[end.parts.get(pid)!] += (used / TICKS_PER_SECOND) * scale;
    }
    const foreign = end.busy - start.busy - ours;
    return { other: Math.max(0, foreign / (end.total - start.total)), split };
  })();
}

/** How long before the window opens its first CPU reading is taken. */
const SAMPLE_LEAD_MS = 250;

/** The kernel's USER_HZ: /proc reports CPU time in these ticks (100 on Linux). */
const TICKS_PER_SECOND = 100;

function sample(own: { bench: number; server?: number }): Sample | undefined {
  try {
    // cpu  user nice system idle iowait irq softirq steal …  (clock ticks, all cores)
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
    const busy = user + nice + system + irq + softirq + steal;
    const parts = new Map<number, keyof CpuSplit>([[own.bench, 'loadGenerator']]);
    if (own.server !== undefined) parts.set(own.server, 'server');
    const parents = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const command = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
        if (SERVICES.has(command)) parts.set(Number(entry), command === 'postgres' ? 'postgres' : 'redis');
        const parent = parentOf(Number(entry));
        if (parent !== undefined) parents.set(Number(entry), parent);
      } catch {
        // the process ended meanwhile
      }
    }
    // The processes a server started (the processes of a Gatehouse cluster) are the server's.
    for (let added = true; added; ) {
      added = false;
      for (const [pid, parent] of parents) {
        const parentPart = parts.get(parent);
        if (!parts.has(pid) && parentPart !== undefined) {
          parts.set(pid, parentPart);
          added = true;
        }
      }
    }
    const ours = new Map<number, number>();
    for (const pid of parts.keys()) {
      const ticks = processTicks(pid);
      if (ticks !== undefined) ours.set(pid, ticks);
    }
    return { busy, total: busy + idle + iowait, ours, parts };
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return Number.isInteger(parent) ? parent : undefined;
}

/** utime + stime of a process (all its threads), in the clock ticks /proc/stat counts in. */
function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return undefined;
  }
}
