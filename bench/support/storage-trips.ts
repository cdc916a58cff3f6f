import { performance } from 'node:perf_hooks';
import type { MeasurementWindow } from './window.js';

export interface RoundTrips {
  postgres: number;
  redis: number;
}

interface Sample {
  postgres: number;
  redis: number;
  grants: number;
}

/**
 * Round trips to storage per token request while a window was open, as Gatehouse itself
 * counts them (its `gatehouse_storage_round_trips_total` metric: PostgreSQL statements and
 * writes on the Redis connection, shared when pipelined) divided by the grants it issued
 * (`gatehouse_tokens_issued_total` of `grant`). Everything the server did meanwhile counts,
 * background writes included: that is the cost of a request under this load.
 */
export function roundTripsDuring(window: MeasurementWindow, metricsUrl: string, grant: string): Promise<RoundTrips | undefined> {
  const at = (time: number) => new Promise<Sample | undefined>((resolve) => setTimeout(() => void sample(metricsUrl, grant).then(resolve), Math.max(0, time - performance.now())));
  return (async () => {
    const start = await at(window.opensAt);
    const end = await at(window.closesAt);
    if (!start || !end || end.grants <= start.grants) return undefined;
    const grants = end.grants - start.grants;
    return { postgres: (end.postgres - start.postgres) / grants, redis: (end.redis - start.redis) / grants };
  })();
}

async function sample(metricsUrl: string, grant: string): Promise<Sample | undefined> {
  try {
    const text = await (await fetch(metricsUrl)).text();
    const sum = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
    return {
      postgres: sum(/^gatehouse_storage_round_trips_total\{store="postgres"\} (\S+)/gm),
      redis: sum(/^gatehouse_storage_round_trips_total\{store="redis"\} (\S+)/gm),
      grants: sum(new RegExp(`^gatehouse_tokens_issued_total\\{[^}]*grant="${grant}"[^}]*\\} (\\S+)`, 'gm')),
    };
  } catch {
    return undefined;
  }
}
