import * as oidc from 'openid-client';
import type { SecretBox } from '../crypto/secret-box.js';
import { publicOnlyFetch } from '../http/outbound-fetch.js';

/** A tenant's provider, as far as talking to it goes. */
export interface UpstreamEndpoint {
  /** Whose it is (one cached configuration each) and which version of it (a change drops the cache). */
  key: string;
  version: number;
  /** Microsoft Entra ID: the directory id (the issuer follows from the authority). */
  entraTenantId: string | null;
  /** Any other provider: its issuer. */
  issuer: string | null;
  clientId: string;
  /** The client secret, sealed with the secret box this client was given. */
  sealedSecret: string;
}

/** One trip to the upstream and back: what binds the callback to the request that left. */
export interface UpstreamTrip {
  redirectUri: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface UpstreamHints {
  /** Who is signing in, as typed or as the application hinted. */
  loginHint?: string;
  /** Let the person pick another account (after a refusal of the one they used). */
  chooseAccount?: boolean;
}

/**
 * A tenant's OpenID Connect provider, as Gatehouse's federation needs it. `OpenIdUpstream`
 * discovers the issuer, validates the ID token (issuer, audience, signature, expiry, nonce) and
 * checks PKCE and state; the federation module adds what is specific to the tenant.
 */
export interface UpstreamProvider {
  authorizationUrl(endpoint: UpstreamEndpoint, trip: UpstreamTrip, hints: UpstreamHints): Promise<string>;
  /** Redeems the code in `callbackUrl`; the validated ID token's claims. Throws when anything is off. */
  redeem(endpoint: UpstreamEndpoint, callbackUrl: URL, trip: UpstreamTrip): Promise<Record<string, unknown>>;
  /** Where to continue a sign-out at the upstream; undefined when it has no end-session endpoint. */
  endSessionUrl(endpoint: UpstreamEndpoint, params: { postLogoutRedirectUri: string; state: string }): Promise<string | undefined>;
}

/** How long a discovered configuration (endpoints, keys location) is reused. */
const DISCOVERY_TTL_MS = 60 * 60_000;
const TIMEOUT_SECONDS = 10;

export interface OpenIdUpstreamOptions {
  /** `SSO_ENTRA_AUTHORITY`: where Entra directories live (`https://login.microsoftonline.com`). */
  entraAuthority: string;
  /** Opens the connections' sealed client secrets. */
  secrets: SecretBox;
  /** Production: https only, public addresses only. Elsewhere http to loopback works (development, tests). */
  production: boolean;
}

/**
 * Upstream OpenID Connect providers through `openid-client`: discovery per connection (cached,
 * and dropped when the connection changes), authorization code with PKCE, state and nonce, the
 * ID token validated by the library.
 */
export class OpenIdUpstream implements UpstreamProvider {
  private readonly discovered = new Map<string, { version: number; at: number; config: Promise<oidc.Configuration> }>();

  constructor(private readonly options: OpenIdUpstreamOptions) {}

  async authorizationUrl(endpoint: UpstreamEndpoint, trip: UpstreamTrip, hints: UpstreamHints): Promise<string> {
    const config = await this.configuration(endpoint);
    const params: Record<string, string> = {
      redirect_uri: trip.redirectUri,
      scope: 'openid profile email',
      response_type: 'code',
      state: trip.state,
      nonce: trip.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(trip.codeVerifier),
      code_challenge_method: 'S256',
    };
    if (hints.loginHint) params.login_hint = hints.loginHint;
    if (hints.chooseAccount) params.prompt = 'select_account';
    return oidc.buildAuthorizationUrl(config, params).href;
  }

  async redeem(endpoint: UpstreamEndpoint, callbackUrl: URL, trip: UpstreamTrip): Promise<Record<string, unknown>> {
    const config = await this.configuration(endpoint);
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: trip.codeVerifier,
      expectedState: trip.state,
      expectedNonce: trip.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the upstream returned no ID token');
    return { ...claims };
  }

  async endSessionUrl(endpoint: UpstreamEndpoint, params: { postLogoutRedirectUri: string; state: string }): Promise<string | undefined> {
    const config = await this.configuration(endpoint);
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    return oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: params.postLogoutRedirectUri, state: params.state, client_id: endpoint.clientId }).href;
  }

  /** The issuer an endpoint's ID tokens must name. Entra's is per directory. */
  issuerOf(endpoint: UpstreamEndpoint): string {
    return endpoint.entraTenantId ? `${this.options.entraAuthority}/${endpoint.entraTenantId}/v2.0` : endpoint.issuer!;
  }

  private configuration(endpoint: UpstreamEndpoint): Promise<oidc.Configuration> {
    const { key, version } = endpoint;
    const cached = this.discovered.get(key);
    if (cached && cached.version === version && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
    const issuer = new URL(this.issuerOf(endpoint));
    const secret = this.options.secrets.open(endpoint.sealedSecret).plaintext;
    const config = oidc.discovery(issuer, endpoint.clientId, undefined, oidc.ClientSecretPost(secret), {
      timeout: TIMEOUT_SECONDS,
      ...(this.options.production ? { [oidc.customFetch]: publicOnlyFetch as oidc.CustomFetch } : { execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [] }),
    });
    // A failed discovery is tried again on the next sign-in, not remembered.
    config.catch(() => {
      if (this.discovered.get(key)?.config === config) this.discovered.delete(key);
    });
    this.discovered.set(key, { version, at: Date.now(), config });
    return config;
  }
}
