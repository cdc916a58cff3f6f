import { createPublicKey } from 'node:crypto';
import type { FieldError } from '../../infrastructure/http/gatehouse-error.js';
import { backchannelLogoutUriProblem, postLogoutRedirectUriProblems } from './client-redirect-uris.js';
import { isConfidentialKind, type ClientKind, type ClientSettings, type TokenEndpointAuthMethod } from './client.repository.js';
import { SCOPES } from './scopes.js';

/** What a client gets for each setting it does not register. */
export const DEFAULT_CLIENT_SETTINGS: ClientSettings = {
  post_logout_redirect_uris: [],
  backchannel_logout_uri: null,
  initiate_login_uri: null,
  client_uri: null,
  token_endpoint_auth_method: null,
  jwks: null,
  id_token_signed_response_alg: null,
  default_max_age: null,
  require_auth_time: false,
  require_pkce: true,
  access_token_format: 'opaque',
  resources: [],
};

/** The token endpoint authentication a client uses: the registered one, else its kind's. */
export function authMethodOf(kind: ClientKind, registered: TokenEndpointAuthMethod | null): TokenEndpointAuthMethod {
  return registered ?? (isConfidentialKind(kind) ? 'client_secret_basic' : 'none');
}

/** Kinds that sign people in (and so get ID tokens and authorization requests). */
function signsPeopleIn(kind: ClientKind): boolean {
  return kind !== 'integration';
}

// RFC 6749 §3.3 scope-token.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const HOUR = 3600;

export interface SettingsContext {
  /** The algorithms Gatehouse's signing keys can sign ID tokens with. */
  idTokenSigningAlgs: readonly string[];
  /** Production: an application's home and sign-in URLs are https. */
  production?: boolean;
}

/**
 * What is wrong with a client's settings for its kind, checked as a whole (a change is checked
 * together with what it leaves in place: private_key_jwt needs keys, whichever came first).
 * Each problem names its field and says what to do.
 */
export function clientSettingsProblems(kind: ClientKind, settings: ClientSettings, context: SettingsContext): FieldError[] {
  const problems: FieldError[] = [...postLogoutRedirectUriProblems(kind, settings.post_logout_redirect_uris)];
  const problem = (field: string, message: string) => problems.push({ field, message });

  if (settings.backchannel_logout_uri !== null) {
    if (kind !== 'web') problem('backchannel_logout_uri', `${kind} clients have no server to receive logout tokens: only web clients register a backchannel_logout_uri`);
    else {
      const wrong = backchannelLogoutUriProblem(settings.backchannel_logout_uri);
      if (wrong) problem('backchannel_logout_uri', wrong);
    }
  }

  for (const field of ['initiate_login_uri', 'client_uri'] as const) {
    const value = settings[field];
    if (value === null || value === undefined) continue;
    if (!signsPeopleIn(kind)) problem(field, 'integration clients sign nobody in: they have no sign-in or home page to send people back to');
    else {
      const wrong = homeUrlProblem(value, { httpsOnly: field === 'initiate_login_uri' || context.production === true });
      if (wrong) problem(field, wrong);
    }
  }

  const method = settings.token_endpoint_auth_method;
  if (method !== null) {
    if (!isConfidentialKind(kind) && method !== 'none') problem('token_endpoint_auth_method', `${kind} clients are public: they have no secret or keys, so the only method is none`);
    if (isConfidentialKind(kind) && method === 'none') problem('token_endpoint_auth_method', `${kind} clients are confidential: use client_secret_basic, client_secret_post or private_key_jwt`);
    if (method === 'private_key_jwt' && !settings.jwks) problem('jwks', 'private_key_jwt needs the public keys the client signs its assertions with: {"keys": [...]}');
  }
  if (settings.jwks) problems.push(...jwksProblems(settings.jwks));

  const alg = settings.id_token_signed_response_alg;
  if (alg !== null) {
    if (!signsPeopleIn(kind)) problem('id_token_signed_response_alg', 'integration clients get no ID tokens');
    else if (!context.idTokenSigningAlgs.includes(alg)) problem('id_token_signed_response_alg', `Gatehouse's keys sign ID tokens with ${context.idTokenSigningAlgs.join(', ')}; unsigned ID tokens (none) are not issued`);
  }
  if (settings.default_max_age !== null && !signsPeopleIn(kind)) problem('default_max_age', 'integration clients sign nobody in');
  if (settings.require_auth_time && !signsPeopleIn(kind)) problem('require_auth_time', 'integration clients get no ID tokens');
  if (!settings.require_pkce) {
    if (kind === 'mobile') problem('require_pkce', 'mobile clients are public: they always use PKCE');
    else if (kind !== 'web') problem('require_pkce', `${kind} clients make no authorization requests`);
  }

  if (settings.access_token_format === 'jwt' && !settings.resources.length) {
    problem('access_token_format', 'JWT access tokens are issued for the APIs in resources (tokens for userinfo stay opaque): register at least one resource');
  }
  settings.resources.forEach((resource, index) => {
    const field = `resources.${index}`;
    if (settings.resources.findIndex((r) => r.uri === resource.uri) < index) problem(`${field}.uri`, 'listed twice');
    const wrong = resourceUriProblem(resource.uri);
    if (wrong) problem(`${field}.uri`, wrong);
    if (!resource.scopes.length) problem(`${field}.scopes`, 'at least one scope the API defines, such as "orders:read"');
    resource.scopes.forEach((scope, i) => {
      if (!SCOPE_TOKEN.test(scope)) problem(`${field}.scopes.${i}`, 'a scope is printable ASCII without spaces, quotes or backslashes');
      else if ((SCOPES as readonly string[]).includes(scope)) problem(`${field}.scopes.${i}`, `"${scope}" is one of Gatehouse's own scopes; name the API's scopes after the API, such as "orders:read"`);
    });
  });
  return problems;
}

/** RFC 8707 §2: an absolute URI without a fragment; https, or http to the developer's machine. */
function resourceUriProblem(uri: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return 'must be an absolute URI such as https://api.example.com';
  }
  if (uri.includes('#')) return 'must not contain a fragment (#)';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)) return undefined;
  return 'must be https, or http on localhost, 127.0.0.1 or [::1]';
}

/** Public signing keys only: a private key sent here would have leaked already. */
function jwksProblems(jwks: { keys: Record<string, unknown>[] }): FieldError[] {
  const problems: FieldError[] = [];
  if (!jwks.keys.length) problems.push({ field: 'jwks.keys', message: 'at least one public key' });
  jwks.keys.forEach((key, index) => {
    const field = `jwks.keys.${index}`;
    const secret = PRIVATE_JWK_MEMBERS.find((member) => member in key);
    if (secret) return problems.push({ field, message: `holds a private or secret part ("${secret}"): register the public key only, and treat this one as leaked` });
    if (!['RSA', 'EC', 'OKP'].includes(String(key.kty))) return problems.push({ field, message: 'kty must be RSA, EC or OKP' });
    if (key.use !== undefined && key.use !== 'sig') return problems.push({ field, message: 'use must be sig' });
    try {
      createPublicKey({ key: key as never, format: 'jwk' });
    } catch {
      problems.push({ field, message: 'is not a valid public JWK' });
    }
    return undefined;
  });
  return problems;
}

/** Bounds of default_max_age (seconds). */
export const MAX_AGE_LIMIT = 365 * 24 * HOUR;

/**
 * An application's home or sign-in URL, where error pages send people back to: an absolute
 * https URL (http on localhost only outside production; initiate_login_uri is always https, as
 * OpenID Connect Registration says), without credentials or a fragment.
 */
function homeUrlProblem(value: string, options: { httpsOnly: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL, such as https://app.example.com/login';
  }
  if (url.hash || url.username || url.password) return 'must have no fragment and no credentials';
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && local && !options.httpsOnly) return undefined;
  return options.httpsOnly ? 'must be an https URL' : 'must be an https URL (http only on localhost)';
}
