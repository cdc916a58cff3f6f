import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import type { SignInClient } from './sign-in-flow.js';

/** A server under test, as the scenarios see it: where to send what. */
export interface Target {
  /** Column label in the report: `bare` or `gatehouse`. */
  name: string;
  origin: string;
  tokenPath: string;
  /** RFC 7662 introspection, where the integration asks about its own access tokens. */
  introspectionPath: string;
  /** The confidential client of `client_credentials` (HTTP Basic). */
  integration: { clientId: string; secret: string };
  /** The public PKCE client that signs users in and refreshes. */
  mobile: SignInClient;
}

/**
 * Reads the endpoints from discovery, as any relying party would (DESIGN §3), and refuses
 * endpoints off the loopback origin: the bench sends traffic to 127.0.0.1 only.
 */
export async function describeTarget(name: string, origin: string): Promise<Target> {
  const response = await fetch(`${origin}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`${name}: discovery answered ${response.status}`);
  const discovery = (await response.json()) as { token_endpoint: string; authorization_endpoint: string; introspection_endpoint: string };
  const pathOf = (endpoint: string) => {
    const url = new URL(endpoint);
    if (url.origin !== origin) throw new Error(`${name}: ${endpoint} is not on ${origin} (set ISSUER to it)`);
    return url.pathname;
  };
  const tokenPath = pathOf(discovery.token_endpoint);
  return {
    name,
    origin,
    tokenPath,
    introspectionPath: pathOf(discovery.introspection_endpoint),
    integration: { clientId: DEMO.integration.clientId, secret: DEMO.integration.secret },
    mobile: {
      origin,
      authorizationPath: pathOf(discovery.authorization_endpoint),
      tokenPath,
      clientId: DEMO.mobile.clientId,
      redirectUri: `${origin}${DEMO.callbackPath}`,
      scope: 'openid offline_access',
    },
  };
}

/** The demo users, taken in turn so no single account row is the only one written. */
export function demoCredentials(index: number): { username: string; password: string } {
  return { username: DEMO.users[index % DEMO.users.length]!.username, password: DEMO.password };
}

/** `Authorization` of RFC 6749 §2.3.1: form-encoded id and secret, joined, base64. */
export function basicAuthorization(client: { clientId: string; secret: string }): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(client.clientId)}:${encode(client.secret)}`).toString('base64')}`;
}
