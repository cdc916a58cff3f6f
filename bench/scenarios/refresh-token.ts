import { connectionTrouble, runLoad, type LoadShape } from '../support/load.js';
import type { RefreshChains } from '../support/refresh-chains.js';
import type { Target } from '../support/target.js';
import type { Measurement, MeasurementWindow } from '../support/window.js';
import { errorOf } from './token-responses.js';

/**
 * refresh_token grants: a fleet of mobile apps refreshing, each request with the newest token of
 * its own chain (rotation on every use; DESIGN §3). A success returns a new refresh token, a
 * new opaque access token and a new ID token, exactly as the code exchange did.
 */
export async function refreshTokenGrants(target: Target, chains: RefreshChains, shape: LoadShape, window: MeasurementWindow): Promise<Measurement> {
  await probe(target, chains);
  const outcome = await runLoad({
    origin: target.origin,
    ...shape,
    window,
    requestsFor: (index) => {
      const cursor = chains.cursorFor(index, shape.connections);
      return [
        {
          method: 'POST',
          path: target.tokenPath,
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          setupRequest: (request) => ({ ...request, body: refreshBody(target, cursor.current()) }),
          onResponse: (status, body) => {
            const next = status === 200 ? (JSON.parse(body) as { refresh_token?: string }).refresh_token : undefined;
            if (next) return cursor.rotated(next);
            window.failedWith(status === 200 ? '200 without a new refresh token' : `${status} ${errorOf(body)}`);
            cursor.skipped();
          },
        },
      ];
    },
    isSuccess: (status) => status === 200,
  });
  const measured = window.summary();
  return { ...measured, failures: [...measured.failures, ...connectionTrouble(outcome)] };
}

function refreshBody(target: Target, refreshToken: string): string {
  return new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: target.mobile.clientId }).toString();
}

/**
 * One refresh before the load, on the first chain (its new token is kept): it must rotate and
 * answer what the app expects, or the figures would be of refusals.
 */
async function probe(target: Target, chains: RefreshChains): Promise<void> {
  const cursor = chains.cursorFor(0, chains.size);
  const old = cursor.current();
  const response = await fetch(target.origin + target.tokenPath, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: refreshBody(target, old),
  });
  const body = await response.text();
  const tokens = response.status === 200 ? (JSON.parse(body) as { access_token?: string; refresh_token?: string; id_token?: string }) : {};
  if (!tokens.access_token || !tokens.id_token || !tokens.refresh_token || tokens.refresh_token === old) {
    throw new Error(`${target.name}: refresh probe did not rotate (${response.status}): ${body.slice(0, 300)}`);
  }
  cursor.rotated(tokens.refresh_token);
}
