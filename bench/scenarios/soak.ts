import { memoryOf, totalMb, type ServerMemory } from '../support/memory.js';
import type { RefreshChains } from '../support/refresh-chains.js';
import type { Target } from '../support/target.js';
import { MeasurementWindow } from '../support/window.js';
import { clientCredentialsGrants } from './client-credentials.js';
import { refreshTokenGrants } from './refresh-token.js';

export interface SoakSample {
  minute: number;
  memory: ServerMemory;
}

export interface SoakFigures {
  samples: SoakSample[];
  /** Growth of the whole server's RSS over the second half of the soak, in MB per minute. */
  growthMbPerMinute: number;
  refreshPerSecond: number;
  clientCredentialsPerSecond: number;
  failed: number;
}

/**
 * Memory over a long run: refreshes and client-credentials grants at once, each on half the
 * connections, for `minutes`, with the server's RSS (every process) read once a minute. Memory
 * that keeps rising under a steady load is a leak, whatever its size; the growth is fitted over
 * the second half only, after caches and pools have filled.
 */
export async function soak(target: Target, chains: RefreshChains, options: { pid: number; minutes: number; connections: number }): Promise<SoakFigures> {
  const seconds = options.minutes * 60;
  const refreshWindow = new MeasurementWindow(0, seconds);
  const grantWindow = new MeasurementWindow(0, seconds);
  const half = Math.max(1, Math.floor(options.connections / 2));
  const samples: SoakSample[] = [];
  const sample = (minute: number) => {
    const memory = memoryOf(options.pid);
    if (memory) samples.push({ minute, memory });
  };
  sample(0);
  let minute = 0;
  const timer = setInterval(() => sample(++minute), 60_000);
  try {
    const [refresh, grants] = await Promise.all([
      refreshTokenGrants(target, chains, { connections: half }, refreshWindow),
      clientCredentialsGrants(target, { connections: half }, grantWindow),
    ]);
    sample(options.minutes);
    return { samples, growthMbPerMinute: slope(samples.filter((s) => s.minute >= options.minutes / 2)), refreshPerSecond: refresh.perSecond, clientCredentialsPerSecond: grants.perSecond, failed: refresh.failed + grants.failed };
  } finally {
    clearInterval(timer);
  }
}

/** Least-squares slope of total RSS against minutes. */
function slope(samples: SoakSample[]): number {
  if (samples.length < 2) return 0;
  const xs = samples.map((s) => s.minute);
  const ys = samples.map((s) => totalMb(s.memory));
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const mx = mean(xs);
  const my = mean(ys);
  const covariance = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i]! - my), 0);
  const variance = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return variance === 0 ? 0 : covariance / variance;
}

export function renderSoak(figures: SoakFigures, minutes: number): string {
  const lines = [`Soak: ${minutes} min of refresh + client_credentials at once (${figures.refreshPerSecond.toFixed(0)} + ${figures.clientCredentialsPerSecond.toFixed(0)} per s, ${figures.failed} failed)`, 'minute  RSS MB (primary + each process)  total'];
  for (const s of figures.samples) {
    lines.push(`${String(s.minute).padStart(6)}  ${`${Math.round(s.memory.mainMb)} + ${s.memory.childrenMb.map((mb) => Math.round(mb)).join(' + ')}`.padEnd(31)}  ${Math.round(totalMb(s.memory))}`);
  }
  lines.push(`growth over the second half: ${figures.growthMbPerMinute.toFixed(2)} MB/min (flat is within ±0.5)`);
  return lines.join('\n');
}
