import { performance } from 'node:perf_hooks';
import type { MeasurementWindow } from './window.js';

export interface RoundTrips {
  postgres: number;
  redis: number;
}

interface Sample {
  postgres: number;
  redis: number;
  requests: number;
}

/**
 * Round trips to storage per token request while a window was open, as Gatehouse itself
 * counts them (its `gatehouse_storage_round_trips_total` metric: PostgreSQL statements and
 * writes on the Redis connection, shared when pipelined) divided by the requests it answered
 * on `route` (its request-duration histogram). Everything the server did meanwhile counts,
 * background writes included: that is the cost of a request under this load.
 */
export function roundTripsDuring(window: MeasurementWindow, metricsUrl: string, route: string): Promise<RoundTrips | undefined> {
  const at = (time: number) => new Promise<Sample | undefined>((resolve) => setTimeout(() => void sample(metricsUrl, route).then(resolve), Math.max(0, time - performance.now())));
  return (async () => {
    // Asking every process of a cluster for its metrics holds each up for a moment: the first
    // reading comes before the window opens, so no answer it delays is in the window's figures.
    // Both counts come from the same readings, so their ratio needs no scaling.
    const start = await at(window.opensAt - 250);
    const end = await at(window.closesAt);
    if (!start || !end || end.requests <= start.requests) return undefined;
    const requests = end.requests - start.requests;
    return { postgres: (end.postgres - start.postgres) / requests, redis: (end.redis - start.redis) / requests };
  })();
}

async function sample(metricsUrl: string, route: string): Promise<Sample | undefined> {
  try {
    const text = await (await fetch(metricsUrl)).text();
    const sum = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
    return {
      postgres: sum(/^gatehouse_storage_round_trips_total\{store="postgres"\} (\S+)/gm),
      redis: sum(/^gatehouse_storage_round_trips_total\{store="redis"\} (\S+)/gm),
      requests: sum(new RegExp(`^gatehouse_http_request_duration_seconds_count\\{[^}]*route="${route}"[^}]*\\} (\\S+)`, 'gm')),
    };
  } catch {
    return undefined;
  }
}
