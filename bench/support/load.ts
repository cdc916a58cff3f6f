import autocannon from 'autocannon';
import type { LoadOutcome, LoadSpec } from './load-spec.js';
import { runPacedLoad } from './paced-load.js';

// The scenarios take their load shape from here; it is defined apart (load-spec.ts) so that
// paced-load.ts can use the same types without importing this file back.
export type { LoadShape } from './load-spec.js';

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
