import { connectionTrouble, runLoad, type LoadShape } from '../support/load.js';
import { basicAuthorization, type Target } from '../support/target.js';
import type { Measurement, MeasurementWindow } from '../support/window.js';
import { errorOf } from './token-responses.js';

/**
 * client_credentials grants: an integration asking for an access token with its secret (HTTP
 * Basic), over and over on keep-alive connections. The same request bytes go to every target.
 */
export async function clientCredentialsGrants(target: Target, shape: LoadShape, window: MeasurementWindow): Promise<Measurement> {
  await probe(target);
  const request = {
    method: 'POST' as const,
    path: target.tokenPath,
    headers: {
      authorization: basicAuthorization(target.integration),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: 'grant_type=client_credentials',
    onResponse: (status: number, body: string) => {
      if (status !== 200) window.failedWith(`${status} ${errorOf(body)}`);
    },
  };
  const outcome = await runLoad({
    origin: target.origin,
    ...shape,
    window,
    requestsFor: () => [request],
    isSuccess: (status) => status === 200,
  });
  const measured = window.summary();
  return { ...measured, failures: [...measured.failures, ...connectionTrouble(outcome)] };
}

/** One grant before the load: a target that refuses it would only produce a table of failures. */
async function probe(target: Target): Promise<void> {
  const response = await fetch(target.origin + target.tokenPath, {
    method: 'POST',
    headers: { authorization: basicAuthorization(target.integration), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const body = await response.text();
  if (response.status !== 200 || !(JSON.parse(body) as { access_token?: string }).access_token) {
    throw new Error(`${target.name}: client_credentials probe answered ${response.status}: ${body.slice(0, 300)}`);
  }
}
