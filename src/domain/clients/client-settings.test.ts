import { authMethodOf, clientSettingsProblems, DEFAULT_CLIENT_SETTINGS } from './client-settings.js';

const context = { idTokenSigningAlgs: ['RS256', 'PS256'] };
const fields = (kind: Parameters<typeof clientSettingsProblems>[0], settings: Partial<typeof DEFAULT_CLIENT_SETTINGS>) =>
  clientSettingsProblems(kind, { ...DEFAULT_CLIENT_SETTINGS, ...settings }, context).map((p) => p.field);

describe('client settings', () => {
  it('accepts the defaults for every kind', () => {
    for (const kind of ['web', 'mobile', 'downloader', 'integration'] as const) expect(fields(kind, {})).toEqual([]);
  });

  it('authenticates confidential kinds with client_secret_basic and public ones with none unless registered otherwise', () => {
    expect(authMethodOf('web', null)).toBe('client_secret_basic');
    expect(authMethodOf('integration', 'private_key_jwt')).toBe('private_key_jwt');
    expect(authMethodOf('mobile', null)).toBe('none');
    expect(fields('integration', { token_endpoint_auth_method: 'none' })).toEqual(['token_endpoint_auth_method']);
    expect(fields('downloader', { token_endpoint_auth_method: 'client_secret_post' })).toEqual(['token_endpoint_auth_method']);
  });

  it('lets only a web client turn PKCE off', () => {
    expect(fields('web', { require_pkce: false })).toEqual([]);
    expect(fields('mobile', { require_pkce: false })).toEqual(['require_pkce']);
    expect(fields('integration', { require_pkce: false })).toEqual(['require_pkce']);
  });

  it('takes back-channel logout URIs of web clients only, https or to the developer machine, without a fragment', () => {
    expect(fields('web', { backchannel_logout_uri: 'https://app.example/bc?logout=backchannel' })).toEqual([]);
    expect(fields('web', { backchannel_logout_uri: 'http://127.0.0.1:8080/bc' })).toEqual([]);
    expect(fields('web', { backchannel_logout_uri: 'http://app.example/bc' })).toEqual(['backchannel_logout_uri']);
    expect(fields('web', { backchannel_logout_uri: 'https://app.example/bc#x' })).toEqual(['backchannel_logout_uri']);
    expect(fields('mobile', { backchannel_logout_uri: 'https://app.example/bc' })).toEqual(['backchannel_logout_uri']);
  });

  it('takes public keys only, and needs them for private_key_jwt', () => {
    expect(fields('web', { token_endpoint_auth_method: 'private_key_jwt' })).toEqual(['jwks']);
    const publicKey = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
    expect(fields('web', { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicKey] } })).toEqual([]);
    expect(fields('web', { jwks: { keys: [{ ...publicKey, d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI' }] } })).toEqual(['jwks.keys.0']);
    expect(fields('web', { jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }] } })).toEqual(['jwks.keys.0']);
    expect(fields('web', { jwks: { keys: [] } })).toEqual(['jwks.keys']);
  });

  it('offers the ID token algorithms the signing keys have, never none, and none to integrations', () => {
    expect(fields('web', { id_token_signed_response_alg: 'PS256' })).toEqual([]);
    expect(fields('web', { id_token_signed_response_alg: 'ES256' })).toEqual(['id_token_signed_response_alg']);
    expect(fields('web', { id_token_signed_response_alg: 'none' })).toEqual(['id_token_signed_response_alg']);
    expect(fields('integration', { id_token_signed_response_alg: 'RS256' })).toEqual(['id_token_signed_response_alg']);
  });

  it('names APIs by absolute URI with their own scopes, and issues JWTs only for them', () => {
    expect(fields('integration', { access_token_format: 'jwt', resources: [{ uri: 'https://api.example.com', scopes: ['orders:read'] }] })).toEqual([]);
    expect(fields('integration', { access_token_format: 'jwt' })).toEqual(['access_token_format']);
    expect(
      fields('integration', {
        resources: [
          { uri: 'https://api.example.com', scopes: [] },
          { uri: 'https://api.example.com', scopes: ['profile', 'has space'] },
        ],
      }),
    ).toEqual(['resources.0.scopes', 'resources.1.uri', 'resources.1.scopes.0', 'resources.1.scopes.1']);
  });
});
