import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { childrenOf } from './processes.js';
import type { MeasurementWindow } from './window.js';

/** Resident memory of a server: its own process and those it started (a cluster's), in MB. */
export interface ServerMemory {
  mainMb: number;
  childrenMb: number[];
}

/** RSS of `pid` and its children as the window closes: memory under the load just measured. */
export function memoryAtClose(window: MeasurementWindow, pid: number): Promise<ServerMemory | undefined> {
  // As it closes, not before: the /proc reads stall the load generator for a moment.
  return new Promise((resolve) => setTimeout(() => resolve(memoryOf(pid)), Math.max(0, window.closesAt - performance.now())));
}

export function memoryOf(pid: number): ServerMemory | undefined {
  const main = rssMb(pid);
  if (main === undefined) return undefined;
  return { mainMb: main, childrenMb: childrenOf(pid).map(rssMb).filter((mb): mb is number => mb !== undefined) };
}

/** The whole server's RSS: what a pod's memory limit must hold. */
export function totalMb(memory: ServerMemory): number {
  return memory.mainMb + memory.childrenMb.reduce((sum, mb) => sum + mb, 0);
}

function rssMb(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
