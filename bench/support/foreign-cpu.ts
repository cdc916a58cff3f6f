import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { MeasurementWindow } from './window.js';

// The services a run itself drives: their CPU is part of what is measured, not a disturbance.
const SERVICES = new Set(['postgres', 'redis-server']);

interface Sample {
  busy: number;
  total: number;
  /** CPU ticks so far of each process that counts as the bench's own. */
  ours: Map<number, number>;
}

/**
 * How much of the machine other work took while a window was open: CPU time of every process
 * except the bench, its server, PostgreSQL and Redis, as a fraction of all cores (0.5 = one of
 * two cores). The machine is shared (a compiler, a test run), and a figure measured while half
 * the cores were elsewhere is not a figure of Gatehouse. Counts every PostgreSQL and Redis
 * process as the bench's, so it errs low. Linux /proc only; undefined elsewhere.
 */
export function foreignCpuDuring(window: MeasurementWindow, ownPids: number[]): Promise<number | undefined> {
  const at = (time: number) => new Promise<Sample | undefined>((resolve) => setTimeout(() => resolve(sample(ownPids)), Math.max(0, time - performance.now())));
  return (async () => {
    const start = await at(window.opensAt);
    const end = await at(window.closesAt);
    if (!start || !end || end.total <= start.total) return undefined;
    // A process that ended meanwhile is left out (it would read as negative time); one that
    // started meanwhile (a new PostgreSQL backend, an autovacuum worker) counts in full.
    let ours = 0;
    for (const [pid, ticks] of end.ours) ours += ticks - (start.ours.get(pid) ?? 0);
    const foreign = end.busy - start.busy - ours;
    return Math.max(0, foreign / (end.total - start.total));
  })();
}

function sample(ownPids: number[]): Sample | undefined {
  try {
    // cpu  user nice system idle iowait irq softirq steal …  (clock ticks, all cores)
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
    const busy = user + nice + system + irq + softirq + steal;
    const pids = new Set(ownPids);
    const parents = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (SERVICES.has(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) pids.add(Number(entry));
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
        if (!pids.has(pid) && pids.has(parent)) {
          pids.add(pid);
          added = true;
        }
      }
    }
    const ours = new Map<number, number>();
    for (const pid of pids) {
      const ticks = processTicks(pid);
      if (ticks !== undefined) ours.set(pid, ticks);
    }
    return { busy, total: busy + idle + iowait, ours };
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
