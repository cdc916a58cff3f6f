import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import Provider, { type Configuration } from 'oidc-provider';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import type { RunningServer } from './server-protocol.js';
import { CLAIMS_BY_SCOPE, SCOPES } from '../../src/domain/clients/scopes.js';

const DAY = 24 * 60 * 60;

/**
 * The comparison point of DESIGN §9: oidc-provider as its README starts it, on its default
 * in-memory adapter with a static client list, and Gatehouse's settings where they change the
 * work of a token request: opaque access tokens, refresh rotation on every use, RS256 ID tokens
 * from a 2048-bit key, the same scopes, claims and lifetimes. The clients carry the demo ids
 * and secrets, so the scenarios send byte-for-byte the same requests to both targets.
 */
export async function startBareProvider(port: number): Promise<RunningServer> {
  const origin = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const configuration: Configuration = {
    clients: [
      {
        client_id: DEMO.integration.clientId,
        client_secret: DEMO.integration.secret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'openid',
      },
      {
        client_id: DEMO.mobile.clientId,
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [`${origin}${DEMO.callbackPath}`],
        scope: 'openid profile email phone offline_access',
      },
    ],
    // The default findAccount (a stub) without its "you must change this" warning.
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' }] } as Configuration['jwks'],
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // Gatehouse's own scopes and claims, so both sides issue the same tokens.
    scopes: [...SCOPES],
    claims: CLAIMS_BY_SCOPE,
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
    },
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: 3600,
      ClientCredentials: 3600,
      IdToken: 3600,
      RefreshToken: 30 * DAY,
      Grant: 45 * DAY,
    },
  };
  const provider = new Provider(origin, configuration);
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  return {
    origin,
    /**
     * Refresh tokens exactly as the authorization-code grant would leave them (a grant holding
     * `openid offline_access`, a token of gty `authorization_code`), made directly: bare
     * oidc-provider has no sign-in pages (its dev interactions are off, as in production). The
     * refresh grant that the benchmark measures does not know how its token was made.
     */
    async mintRefreshTokens(count) {
      const client = await provider.Client.find(DEMO.mobile.clientId);
      if (!client) throw new Error('bare provider lost its mobile client');
      const now = Math.floor(Date.now() / 1000);
      const tokens: string[] = [];
      for (let i = 0; i < count; i++) {
        const accountId = `bench-user-${i}`;
        const grant = new provider.Grant({ accountId, clientId: client.clientId });
        grant.addOIDCScope('openid offline_access');
        const grantId = await grant.save();
        const refreshToken = new provider.RefreshToken({
          accountId,
          client,
          grantId,
          scope: 'openid offline_access',
          gty: 'authorization_code',
          authTime: now,
          iiat: now,
          amr: ['pwd'],
          expiresWithSession: false,
        });
        tokens.push(await refreshToken.save());
      }
      return tokens;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
