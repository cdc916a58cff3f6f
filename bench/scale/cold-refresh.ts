import { errorOf } from '../scenarios/token-responses.js';
import { connectionTrouble, runLoad, type LoadShape } from '../support/load.js';
import type { Measurement, MeasurementWindow } from '../support/window.js';

/**
 * Seeded refresh tokens, each refreshed once, in the order given: every request reads a token,
 * its grant and its user that no request touched since the seed (cold caches in Gatehouse, and
 * rows PostgreSQL has most likely not read since), as when millions of phones wake up. `from`:
 * the first token number, so consecutive runs never present a token twice.
 */
export async function coldRefreshes(origin: string, tokenPath: string, clientId: string, tokenOf: (n: number) => string, available: number, shape: LoadShape | number, window: MeasurementWindow, from = 0): Promise<Measurement & { used: number }> {
  let next = from;
  const outcome = await runLoad({
    origin,
    ...(typeof shape === 'number' ? { connections: shape } : shape),
    window,
    requestsFor: () => [
      {
        method: 'POST',
        path: tokenPath,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        setupRequest: (request) => {
          // Past the seeded tokens, numbers wrap around: those answer as retries or replays.
          const token = tokenOf(next++ % available);
          return { ...request, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, client_id: clientId }).toString() };
        },
        onResponse: (status, body) => {
          if (status !== 200) window.failedWith(`${status} ${errorOf(body)}`);
        },
      },
    ],
    isSuccess: (status) => status === 200,
  });
  const measured = window.summary();
  return { ...measured, used: next - from, failures: [...measured.failures, ...connectionTrouble(outcome)] };
}
