import { hkdfSync } from 'node:crypto';
import { hashClientSecret } from './client-secret.js';
import type { ClientRepository } from './client.repository.js';

/** One of Gatehouse's own web apps that signs people in through Gatehouse (the account page, the console). */
export interface FirstPartyApp {
  clientId: string;
  name: string;
  /** Where the app lives under the issuer: `/account`; its callback is `${path}/callback`. */
  path: string;
}

export const ACCOUNT_APP: FirstPartyApp = { clientId: 'gatehouse-account', name: 'Your Gatehouse account', path: '/account' };

/** The admin console of tenant administrators, staff and operators. */
export const CONSOLE_APP: FirstPartyApp = { clientId: 'gatehouse-console', name: 'Gatehouse admin console', path: '/console' };

/** Every first-party app, each seeded at start-up. */
export const FIRST_PARTY_APPS: readonly FirstPartyApp[] = [ACCOUNT_APP, CONSOLE_APP];

/**
 * The secret a first-party app authenticates with at the token endpoint: derived from the
 * secret every replica shares, so it is never configured, stored or shown, and only ever
 * travels over the process's own loopback connection.
 */
export function firstPartySecret(sharedSecret: string, clientId: string): string {
  return Buffer.from(hkdfSync('sha256', sharedSecret, 'gatehouse', `first-party-client/${clientId}`, 32)).toString('base64url');
}

/**
 * Creates, or refreshes for the current ISSUER and secret, a first-party app's client at start:
 * operator-owned (no tenant), so people of every tenant sign in to it; a confidential web
 * client, PKCE required, one redirect URI under the issuer.
 */
export async function ensureFirstPartyClient(clients: ClientRepository, app: FirstPartyApp, options: { issuer: string; secret: string }): Promise<void> {
  await clients.upsert({
    client_id: app.clientId,
    tenant_id: null,
    kind: 'web',
    name: app.name,
    redirect_uris: [`${options.issuer}${app.path}/callback`],
    post_logout_redirect_uris: [`${options.issuer}${app.path}`],
    scopes: 'openid',
    secret_hash: hashClientSecret(options.secret),
    require_pkce: true,
  });
}
