import { loadConfig } from '../../src/infrastructure/config/config.js';
import { ConformanceSuite } from '../helpers/conformance-client.js';

/**
 * The OpenID Foundation's "Config OP" certification test plan
 * (oidcc-config-certification-test-plan, discovery, static client): its one module,
 * oidcc-discovery-endpoint-verification, condition by condition, JWKS checks included.
 */
describe('OpenID Foundation Config OP test plan (mirrored)', () => {
  const suite = new ConformanceSuite();
  let response: Response;
  let metadata: Record<string, unknown>;

  beforeAll(async () => {
    await suite.start();
    response = await fetch(`${suite.issuer}/.well-known/openid-configuration`);
    metadata = (await response.clone().json()) as Record<string, unknown>;
  });
  afterAll(() => suite.stop());

  const strings = (value: unknown) => Array.isArray(value) && value.every((v) => typeof v === 'string');

  describe('oidcc-discovery-endpoint-verification', () => {
    it('GetDynamicServerConfiguration, EnsureDiscoveryEndpointResponseStatusCodeIs200, CheckDiscoveryEndpointReturnedJsonContentType', () => {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    });

    it('OIDCCCheckDiscEndpointResponseTypesSupported', () => {
      expect(metadata.response_types_supported).toContain('code');
    });

    it('CheckDiscEndpointDiscoveryUrl, CheckDiscEndpointIssuer, CheckDiscEndpointIssuerIsValidUrl', () => {
      expect(metadata.issuer).toBe(suite.issuer);
      const issuer = new URL(metadata.issuer as string);
      expect(issuer.search).toBe('');
      expect(issuer.hash).toBe('');
      expect(`${metadata.issuer}/.well-known/openid-configuration`).toBe(response.url);
    });

    it('ValidateServerMetadataAgainstSchema', () => {
      for (const required of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri']) expect(typeof metadata[required]).toBe('string');
      for (const list of ['response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported', 'scopes_supported', 'claims_supported', 'grant_types_supported', 'token_endpoint_auth_methods_supported', 'code_challenge_methods_supported']) {
        expect(strings(metadata[list])).toBe(true);
      }
      for (const flag of ['claims_parameter_supported', 'request_parameter_supported', 'request_uri_parameter_supported', 'backchannel_logout_supported', 'backchannel_logout_session_supported']) {
        if (flag in metadata) expect(typeof metadata[flag]).toBe('boolean');
      }
    });

    it('CheckDiscEndpointSubjectTypesSupported', () => {
      expect(metadata.subject_types_supported).toEqual(['public']);
    });

    it('OIDCCCheckDiscEndpointIdTokenSigningAlgValuesSupported, OIDCCCheckDiscEndpointUserinfoSigningAlgValuesSupported', () => {
      expect(metadata.id_token_signing_alg_values_supported).toContain('RS256');
      expect(metadata.id_token_signing_alg_values_supported).not.toContain('none');
      if (metadata.userinfo_signing_alg_values_supported) expect(metadata.userinfo_signing_alg_values_supported).not.toContain('none');
    });

    it('CheckDiscEndpointAuthorizationEndpoint, CheckDiscEndpointTokenEndpoint, CheckDiscEndpointUserinfoEndpoint, CheckDiscEndpointRegistrationEndpoint (absent: static clients only)', () => {
      for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint']) expect(new URL(metadata[endpoint] as string).origin).toBe(new URL(suite.issuer).origin);
      expect(metadata.registration_endpoint).toBeUndefined();
    });

    it('CheckJwksUri, FetchServerKeys, ValidateJwksSequence', async () => {
      const jwksResponse = await fetch(metadata.jwks_uri as string);
      expect(jwksResponse.status).toBe(200);
      expect(jwksResponse.headers.get('content-type')).toMatch(/json/);
      const { keys } = (await jwksResponse.json()) as { keys: Record<string, unknown>[] };
      expect(keys.length).toBeGreaterThan(0);
      const kids = keys.map((k) => k.kid);
      expect(new Set(kids).size).toBe(kids.length);
      for (const key of keys) {
        expect(typeof key.kid).toBe('string');
        expect(['RSA', 'EC', 'OKP']).toContain(key.kty);
        if (key.use !== undefined) expect(key.use).toBe('sig');
        // Public keys only: no private or symmetric parts.
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key[secret]).toBeUndefined();
        if (key.kty === 'RSA') expect(Buffer.from(key.n as string, 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
      }
    });

    it('CheckDiscEndpointRequestParameterSupported, CheckDiscEndpointRequestUriParameterSupported, CheckDiscEndpointRequestObjectSigningAlgValuesSupportedIncludesRS256 (request objects not offered)', () => {
      expect(metadata.request_parameter_supported ?? false).toBe(false);
      expect(metadata.request_uri_parameter_supported).toBe(false);
      expect(metadata.request_object_signing_alg_values_supported).toBeUndefined();
    });

    it('CheckDiscEndpointClaimsParameterSupported, OIDCCCheckDiscEndpointClaimsSupported', () => {
      expect(metadata.claims_parameter_supported).toBe(true);
      expect(metadata.claims_supported).toEqual(expect.arrayContaining(['sub', 'iss', 'auth_time', 'acr', 'name', 'given_name', 'family_name', 'email', 'email_verified', 'phone_number', 'preferred_username', 'locale', 'zoneinfo', 'updated_at']));
    });

    it('OIDCCCheckDiscEndpointGrantTypesSupported', () => {
      expect(metadata.grant_types_supported).toContain('authorization_code');
      expect(metadata.grant_types_supported).not.toContain('implicit');
    });

    it('CheckDiscEndpointScopesSupportedContainsOpenId, CheckDiscEndpointScopesSupportedSyntax', () => {
      expect(metadata.scopes_supported).toContain('openid');
      for (const scope of metadata.scopes_supported as string[]) expect(scope).toMatch(/^[\x21\x23-\x5b\x5d-\x7e]+$/);
    });

    it('CheckDiscEndpointLocalesSyntax, CheckDiscEndpointLocalesCanonicalCasing', () => {
      for (const list of ['ui_locales_supported', 'claims_locales_supported']) {
        for (const tag of (metadata[list] as string[] | undefined) ?? []) expect(Intl.getCanonicalLocales(tag)[0]).toBe(tag);
      }
    });

    it('CheckDiscEndpointAllEndpointsAreHttps: every endpoint is on the issuer origin, and production refuses an issuer that is not https', () => {
      const endpoints = Object.entries(metadata).filter(([key, value]) => (key.endsWith('_endpoint') || key === 'jwks_uri') && typeof value === 'string');
      expect(endpoints.length).toBeGreaterThan(5);
      for (const [, url] of endpoints) expect(new URL(url as string).origin).toBe(new URL(suite.issuer).origin);
      // These tests run over plain http on loopback; production insists on https.
      expect(() => loadConfig({ NODE_ENV: 'production', ISSUER: 'http://id.example.com', DATABASE_URL: 'postgres://db/gatehouse', DELIVERY: 'aws', EMAIL_FROM: 'no-reply@example.com', AWS_REGION: 'eu-west-1', COOKIE_KEYS: 'mO1q8yGQ2n7Lk+Z3/4vXh0sRtJcWbE5dAfPuI6eNo9Y=', JWKS: JSON.stringify({ keys: [{ kty: 'RSA', d: 'x' }] }) })).toThrow(/ISSUER/);
    });

    it('EnsureServerConfigurationCodeChallengeMethodsSupportedIsAnArray', () => {
      expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    });
  });
});
