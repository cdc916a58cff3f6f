import { performance } from 'node:perf_hooks';
import type { MeasurementWindow } from './window.js';

export interface RoundTrips {
  postgres: number;
  redis: number;
}

/** What Gatehouse itself counted while a window was open, on one route. */
export interface ServerCounts {
  /** Round trips to storage per request. */
  roundTrips: RoundTrips;
  /**
   * Share of the route's requests Gatehouse answered within 25 ms, by its own clock (from when
   * it read the request to the response's end): the latency target, without the time a request
   * waits in the kernel for a busy process or in the load generator on the same cores.
   */
  shareWithin25Ms: number;
}

interface Sample {
  postgres: number;
  redis: number;
  requests: number;
  within25Ms: number;
}

/**
 * Gatehouse's own counts while a window was open, from its metrics:
 * - round trips to storage per request (`gatehouse_storage_round_trips_total`: PostgreSQL
 *   statements and writes on the Redis connection, shared when pipelined) divided by the
 *   requests it answered on `route` (its request-duration histogram). Everything the server did
 *   meanwhile counts, background writes included: that is the cost of a request under this load.
 * - the share of those requests it answered within 25 ms (the histogram's 25 ms bucket).
 */
export function serverCountsDuring(window: MeasurementWindow, metricsUrl: string, route: string): Promise<ServerCounts | undefined> {
  const at = (time: number) => new Promise<Sample | undefined>((resolve) => setTimeout(() => void sample(metricsUrl, route).then(resolve), Math.max(0, time - performance.now())));
  return (async () => {
    // Asking every process of a cluster for its metrics holds each up for a moment: the first
    // reading comes before the window opens, so no answer it delays is in the window's figures.
    // All counts come from the same readings, so their ratios need no scaling.
    const start = await at(window.opensAt - 250);
    const end = await at(window.closesAt);
    if (!start || !end || end.requests <= start.requests) return undefined;
    const requests = end.requests - start.requests;
    return {
      roundTrips: { postgres: (end.postgres - start.postgres) / requests, redis: (end.redis - start.redis) / requests },
      shareWithin25Ms: (end.within25Ms - start.within25Ms) / requests,
    };
  })();
}

async function sample(metricsUrl: string, route: string): Promise<Sample | undefined> {
  try {
    const text = await (await fetch(metricsUrl)).text();
    const sum = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
    // Labels in any order: the route's series, and for the buckets the one of 25 ms.
    const ofRoute = `(?=[^}]*route="${route}")`;
    return {
      postgres: sum(/^gatehouse_storage_round_trips_total\{store="postgres"\} (\S+)/gm),
      redis: sum(/^gatehouse_storage_round_trips_total\{store="redis"\} (\S+)/gm),
      requests: sum(new RegExp(`^gatehouse_http_request_duration_seconds_count\\{${ofRoute}[^}]*\\} (\\S+)`, 'gm')),
      within25Ms: sum(new RegExp(`^gatehouse_http_request_duration_seconds_bucket\\{${ofRoute}(?=[^}]*le="0\\.025")[^}]*\\} (\\S+)`, 'gm')),
    };
  } catch {
    return undefined;
  }
}
