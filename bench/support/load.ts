import autocannon from 'autocannon';
import { runPacedLoad } from './paced-load.js';
import type { MeasurementWindow } from './window.js';

/**
 * How load is offered: closed loop on `connections` (each sends its next request when the
 * previous answer arrives: the peak), or `overallRate` requests per second across them, evenly
 * spaced (an open loop below the peak, where latency is the server's and not the queue's; see
 * paced-load.ts).
 */
export interface LoadShape {
  connections: number;
  overallRate?: number;
}

export interface LoadSpec extends LoadShape {
  /** `http://127.0.0.1:<port>`: every request goes to the loopback interface. */
  origin: string;
  /** Load runs until this window has closed. */
  window: MeasurementWindow;
  /**
   * The request sequence of connection number `index`. It is built per connection so its
   * closures can keep that connection's own state (a refresh-token chain, a browser's cookies).
   */
  requestsFor: (index: number) => autocannon.Request[];
  /**
   * Count every response with autocannon's own timing: a success when `isSuccess(status)`.
   * Failures are left to the requests' `onResponse`, which sees the body and can say why.
   * Omitted when one operation spans several requests (a sign-in) and the requests count it.
   */
  isSuccess?: (status: number) => boolean;
}

export interface LoadOutcome {
  /** Connection errors and timeouts over the whole run (warm-up included). */
  connectionErrors: number;
  timeouts: number;
}

/**
 * Runs autocannon against one target until the window closes. autocannon is the load generator;
 * this only wires its per-connection requests and responses to the window.
 */
export function runLoad(spec: LoadSpec): Promise<LoadOutcome> {
  // Below the peak: evenly spaced arrivals (autocannon's own rate limit sends in bursts).
  if (spec.overallRate) return runPacedLoad({ ...spec, overallRate: spec.overallRate });
  let nextConnection = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.origin,
        connections: spec.connections,
        // Until a little after the window closes, so the load never thins out inside it.
        duration: spec.window.secondsLeft + 0.25,
        setupClient: (client) => client.setRequests(spec.requestsFor(nextConnection++)),
      },
      (err, result) => (err ? reject(err) : resolve({ connectionErrors: result.errors, timeouts: result.timeouts })),
    );
    if (spec.isSuccess) {
      const isSuccess = spec.isSuccess;
      instance.on('response', (_client, status, _bytes, latencyMs) => {
        if (isSuccess(status)) spec.window.succeeded(latencyMs);
      });
    }
  });
}

/** Folds connection-level trouble into a measurement's failure reasons, so none goes unseen. */
export function connectionTrouble(outcome: LoadOutcome): string[] {
  const notes: string[] = [];
  if (outcome.timeouts) notes.push(`request timeouts ×${outcome.timeouts} (whole run)`);
  const others = outcome.connectionErrors - outcome.timeouts;
  if (others > 0) notes.push(`connection errors ×${others} (whole run)`);
  return notes;
}
