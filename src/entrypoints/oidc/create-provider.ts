import { LANGUAGES } from '../../infrastructure/i18n/languages.js';
import { CookieSignatures } from '../../infrastructure/crypto/cookie-signatures.js';
import Provider, { type Adapter, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { UserRepository } from '../../domain/users/user.repository.js';
import type { ProviderSecrets } from '../../infrastructure/config/signing-keys.js';
import { installHashedClientSecrets, type SecretUseRecorder } from './client-authentication.js';
import { reuseClientsOfUnchangedDefinitions } from './client-lookups.js';
import { GATEHOUSE_CLIENT_METADATA } from './client-metadata.js';
import { clientTenant } from '../../domain/clients/client-tenancy.js';
import { advertisePollingInterval } from './device-flow.js';
import { createFindAccount } from './find-account.js';
import type { RecentUsers } from './recent-users.js';
import { createInteractionPolicy, type SignInPolicyDependencies } from './interaction-policy.js';
import * as lifetimes from './lifetimes.js';
import { answerUnavailable, failFastAccounts } from './unavailable.js';
import { answerWithCurrentToken } from './adapters/refresh-rotation.js';
import { CLAIMS_BY_SCOPE, SCOPES } from '../../domain/clients/scopes.js';
import { ACR_VALUES } from './acr.js';
import { installInteroperability } from './interoperability.js';
import { introspectJwtAccessTokens, rememberJwtAccessToken } from './jwt-access-tokens.js';
import { pkceRequired } from './pkce-policy.js';
import { resourceServerInfo } from './resource-servers.js';

export interface ProviderDependencies {
  issuer: string;
  secrets: ProviderSecrets;
  adapter: (name: string) => Adapter;
  users: UserRepository;
  recordSecretUse: SecretUseRecorder;
  /** RFC 8628 polling interval in seconds (5 in production; tests shorten it). */
  devicePollIntervalSeconds: number;
  /** Number of trusted reverse proxies (TRUST_PROXY). */
  trustProxy: number;
  /** What a sign-in still needs after the password (second factor, forced change), decided once per request. */
  signIn: SignInPolicyDependencies;
  /** The hosted pages the provider renders itself (device flow, logout, errors), from pages/. */
  pages: ProviderPages;
  /** ID-token algorithm of clients that do not name one (SIGNING_KEY_ALG); RS256 when absent. */
  idTokenAlg?: string;
  /** Users read moments ago, which refreshes look up first (the refresh-token adapter fills it). */
  recentUsers?: RecentUsers;
}

/** Page sources of `features.deviceFlow`, `features.rpInitiatedLogout` and `renderError`. */
export interface ProviderPages {
  deviceFlow: Pick<NonNullable<NonNullable<Configuration['features']>['deviceFlow']>, 'userCodeInputSource' | 'userCodeConfirmSource' | 'successSource'>;
  logout: Pick<NonNullable<NonNullable<Configuration['features']>['rpInitiatedLogout']>, 'logoutSource' | 'postLogoutSuccessSource'>;
  renderError: NonNullable<Configuration['renderError']>;
}


/** Builds the OpenID Connect provider of DESIGN §3 on Gatehouse's storage and pages. */
export function createProvider(deps: ProviderDependencies): Provider {
  const secureCookies = deps.issuer.startsWith('https://');
  const configuration: Configuration = {
    adapter: deps.adapter as unknown as Configuration['adapter'],
    findAccount: failFastAccounts(createFindAccount(deps.users, { facts: deps.signIn.facts, recent: deps.recentUsers })),
    jwks: deps.secrets.jwks as Configuration['jwks'],
    cookies: {
      // keygrip's contract with a cheaper comparison (see cookie-signatures.ts).
      keys: new CookieSignatures(deps.secrets.cookieKeys) as unknown as string[],
      // Over https, cookie names carry their guarantees: __Host- (Secure, whole host, no Domain:
      // no sibling subdomain can plant or shadow the session); __Secure- for the interaction
      // cookies, which are scoped to their own paths, so __Host- (path=/ only) cannot apply.
      ...(secureCookies ? { names: { session: '__Host-session', interaction: '__Secure-interaction', resume: '__Secure-interaction_resume' } } : {}),
      long: { httpOnly: true, sameSite: 'lax', secure: secureCookies, signed: true },
      short: { httpOnly: true, sameSite: 'lax', secure: secureCookies, signed: true },
    },
    scopes: [...SCOPES],
    claims: CLAIMS_BY_SCOPE,
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    acrValues: ACR_VALUES,
    // An application may say which organisation the person belongs to (a tenant's id or slug, or
    // an email domain): home-realm discovery then sends them to its own sign-in at once.
    extraParams: ['tenant_hint'],
    pkce: { required: pkceRequired },
    // No client_secret_jwt: secrets are stored as digests, so an HMAC made with one cannot be checked.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    enabledJWA: {
      // Secrets are stored hashed, so nothing may be derived from them (no HS* algorithms).
      clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256'],
      requestObjectSigningAlgValues: ['RS256', 'PS256', 'ES256'],
      // EdDSA too: signing keys may be Ed25519 (SIGNING_KEY_ALG=EdDSA).
      idTokenSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      userinfoSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      introspectionSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      authorizationSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    },
    clientDefaults: { id_token_signed_response_alg: (deps.idTokenAlg ?? 'RS256') as 'RS256' },
    extraClientMetadata: { properties: [...GATEHOUSE_CLIENT_METADATA] },
    formats: { customizers: { jwt: rememberJwtAccessToken } },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // A client may introspect its own tokens, or tokens of clients of its own tenant.
        allowedPolicy: async (_ctx, client, token) => {
          if (client.clientAuthMethod === 'none') return false;
          if (!token.clientId || token.clientId === client.clientId) return true;
          const tokenClient = await deps.adapter('Client').find(token.clientId);
          const owner = clientTenant(client);
          return owner !== null && owner === (tokenClient as { gh_tenant?: string | null } | undefined)?.gh_tenant;
        },
      },
      // A client revokes only its own tokens.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      claimsParameter: { enabled: true },
      resourceIndicators: { enabled: true, getResourceServerInfo: resourceServerInfo },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true, ...deps.pages.logout },
      deviceFlow: { enabled: true, charset: 'base-20', mask: '****-****', ...deps.pages.deviceFlow },
    },
    interactions: {
      policy: createInteractionPolicy(deps.signIn),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    // First-party clients only: every sign-in makes its own grant (see interactions/consent).
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: true,
    ttl: {
      // An API's own lifetime (JWTs are short, see resource-servers.ts), else the default.
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? lifetimes.ACCESS_TOKEN_TTL,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? lifetimes.ACCESS_TOKEN_TTL,
      IdToken: lifetimes.ID_TOKEN_TTL,
      AuthorizationCode: lifetimes.AUTHORIZATION_CODE_TTL,
      DeviceCode: lifetimes.DEVICE_CODE_TTL,
      Interaction: lifetimes.INTERACTION_TTL,
      Grant: lifetimes.GRANT_TTL,
      RefreshToken: (_ctx, token) => lifetimes.refreshTokenTtl(token.iiat),
      Session: (_ctx, session) => lifetimes.sessionTtl(session.loginTs),
    },
    renderError: deps.pages.renderError,
    // Apps may ask for these in ui_locales; the hosted pages honour them (infrastructure/i18n).
    discovery: { ui_locales_supported: [...LANGUAGES] },
  };

  const provider = new Provider(deps.issuer, configuration);
  provider.proxy = deps.trustProxy > 0;
  provider.maxIpsCount = deps.trustProxy;
  if (secureCookies) {
    // The issuer is https, so browsers only ever see Gatehouse over TLS, even when TLS ends at an
    // ingress in front of it: cookies are marked Secure without trusting forwarded headers.
    provider.use((ctx, next) => {
      (ctx.cookies as unknown as { secure: boolean }).secure = true;
      return next();
    });
  }
  answerUnavailable(provider, deps.pages.renderError as Parameters<typeof answerUnavailable>[1]);
  answerWithCurrentToken(provider);
  installInteroperability(provider);
  introspectJwtAccessTokens(provider, deps.secrets.jwks);
  installHashedClientSecrets(provider, deps.recordSecretUse);
  advertisePollingInterval(provider, deps.devicePollIntervalSeconds);
  reuseClientsOfUnchangedDefinitions(provider, deps.adapter('Client'));
  return provider;
}
