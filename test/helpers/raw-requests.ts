import http from 'node:http';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';

export interface RawRequest {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The demo integration asking for an access token with its secret (HTTP Basic). */
export function clientCredentials(): RawRequest {
  return {
    path: '/token',
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${DEMO.integration.clientId}:${DEMO.integration.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  };
}

/**
 * One request on `agent`'s connections (keep-alive or not is the agent's choice, which these
 * tests are about); a connection error is an answer of status 0 here.
 */
export function send(agent: http.Agent | false, origin: string, request: RawRequest): Promise<{ status: number; connection?: string; error?: string }> {
  return new Promise((resolve) => {
    const outgoing = http.request(`${origin}${request.path}`, { method: request.method ?? 'GET', agent, headers: request.headers });
    outgoing.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, error: err.code ?? err.message }));
    outgoing.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
    });
    outgoing.end(request.body);
  });
}
