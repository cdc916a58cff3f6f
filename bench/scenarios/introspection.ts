import { connectionTrouble, runLoad, type LoadShape } from '../support/load.js';
import { basicAuthorization, type Target } from '../support/target.js';
import type { Measurement, MeasurementWindow } from '../support/window.js';
import { errorOf } from './token-responses.js';

/**
 * RFC 7662 introspection: an API (here the integration itself, with its secret) asks whether an
 * access token is active, over and over, as a resource server without local validation does.
 * One opaque access token from a client_credentials grant is asked about on every request.
 */
export async function introspections(target: Target, shape: LoadShape, window: MeasurementWindow): Promise<Measurement> {
  const token = await accessToken(target);
  const request = {
    method: 'POST' as const,
    path: target.introspectionPath,
    headers: {
      authorization: basicAuthorization(target.integration),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({ token }).toString(),
    onResponse: (status: number, body: string) => {
      if (status !== 200) window.failedWith(`${status} ${errorOf(body)}`);
      else if (!(JSON.parse(body) as { active?: boolean }).active) window.failedWith('200 but the token is not active');
    },
  };
  const outcome = await runLoad({ origin: target.origin, ...shape, window, requestsFor: () => [request], isSuccess: (status) => status === 200 });
  const measured = window.summary();
  return { ...measured, failures: [...measured.failures, ...connectionTrouble(outcome)] };
}

/** The token asked about; a target that does not say it is active would only produce failures. */
async function accessToken(target: Target): Promise<string> {
  const response = await fetch(target.origin + target.tokenPath, {
    method: 'POST',
    headers: { authorization: basicAuthorization(target.integration), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const token = response.ok ? (JSON.parse(await response.text()) as { access_token?: string }).access_token : undefined;
  if (!token) throw new Error(`${target.name}: no access token to introspect (${response.status})`);
  const probe = await fetch(target.origin + target.introspectionPath, {
    method: 'POST',
    headers: { authorization: basicAuthorization(target.integration), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  const body = await probe.text();
  if (probe.status !== 200 || !(JSON.parse(body) as { active?: boolean }).active) throw new Error(`${target.name}: introspection probe answered ${probe.status}: ${body.slice(0, 300)}`);
  return token;
}
