import { connectionTrouble, runLoad } from '../support/load.js';
import type { Measurement, MeasurementWindow } from '../support/window.js';

/**
 * The admin search an administrator's screen runs as they type: GET /admin/v1/tenants/{t}/users
 * with `q` (a name, part of an email, digits of a phone), a page of 50, as an operator. Each
 * connection walks through the queries in turn.
 */
export async function adminSearches(origin: string, token: string, tenant: string, queries: readonly string[], connections: number, window: MeasurementWindow): Promise<Measurement> {
  const probe = await fetch(`${origin}${searchPath(tenant, queries[0]!)}`, { headers: { authorization: `Bearer ${token}` } });
  if (probe.status !== 200) throw new Error(`admin search probe answered ${probe.status}: ${(await probe.text()).slice(0, 200)}`);
  const outcome = await runLoad({
    origin,
    connections,
    window,
    requestsFor: (index) => {
      let next = index;
      return [
        {
          method: 'GET',
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          setupRequest: (request) => ({ ...request, path: searchPath(tenant, queries[next++ % queries.length]!) }),
          onResponse: (status) => {
            if (status !== 200) window.failedWith(`${status}`);
          },
        },
      ];
    },
    isSuccess: (status) => status === 200,
  });
  const measured = window.summary();
  return { ...measured, failures: [...measured.failures, ...connectionTrouble(outcome)] };
}

function searchPath(tenant: string, q: string): string {
  return `/admin/v1/tenants/${encodeURIComponent(tenant)}/users?${new URLSearchParams({ q, limit: '50' })}`;
}

/** An admin-scoped access token of the bootstrap operator client (client_credentials). */
export async function operatorAccessToken(origin: string, tokenPath: string, client: { id: string; secret: string }): Promise<string> {
  const response = await fetch(`${origin}${tokenPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin' }).toString(),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`operator token refused (${response.status}): ${JSON.stringify(body)}`);
  return body.access_token;
}
