import type { FieldError } from '../../infrastructure/http/gatehouse-error.js';
import type { ClientKind } from './client.repository.js';

/** Hosts that only ever reach the machine the browser runs on. */
const WEB_LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/**
 * RFC 8252 §8.3: native apps listen on a loopback IP literal, not `localhost`, which a hostile
 * resolver or hosts file could point elsewhere.
 */
const NATIVE_LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);
/** RFC 8252 §7.1: a private-use scheme is a reverse domain name the app's owner controls. */
const REVERSE_DOMAIN_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/;

/**
 * What is wrong with a client's redirect URIs for its kind; empty when nothing is. Each problem
 * names its field (`redirect_uris.1`), so the admin API's 400 points at the offending entry.
 * Matching at the authorization endpoint is exact, so the URIs are checked as given, never
 * normalised.
 */
export function redirectUriProblems(kind: ClientKind, uris: readonly string[]): FieldError[] {
  return uriListProblems(kind, uris, 'redirect_uris', { required: true });
}

/**
 * Where RP-initiated logout may send the browser back to (OpenID Connect RP-Initiated Logout
 * 1.0 §3.1): the same rules as redirect URIs, but none is required.
 */
export function postLogoutRedirectUriProblems(kind: ClientKind, uris: readonly string[]): FieldError[] {
  return uriListProblems(kind, uris, 'post_logout_redirect_uris', { required: false });
}

/**
 * Where a web app receives logout tokens (OpenID Connect Back-Channel Logout 1.0 §2.2): Gatehouse
 * posts to it from its servers, so the web rules hold (https, or http to the developer's machine),
 * and it must not have a fragment.
 */
export function backchannelLogoutUriProblem(uri: string): string | undefined {
  return commonRedirectProblem(uri) ?? webRedirectProblem(uri);
}

function uriListProblems(kind: ClientKind, uris: readonly string[], field: string, options: { required: boolean }): FieldError[] {
  const what = field === 'redirect_uris' ? 'redirect URIs' : 'post-logout redirect URIs';
  switch (kind) {
    case 'downloader':
      return uris.length ? [{ field, message: `downloader clients have no ${what}: they sign in with the device grant` }] : [];
    case 'integration':
      return uris.length ? [{ field, message: `integration clients have no ${what}: they use client_credentials` }] : [];
    case 'web':
    case 'mobile': {
      if (options.required && !uris.length) return [{ field, message: `${kind} clients need at least one redirect URI` }];
      const check = kind === 'web' ? webRedirectProblem : mobileRedirectProblem;
      const problems: FieldError[] = [];
      uris.forEach((uri, index) => {
        const message = uris.indexOf(uri) < index ? 'listed twice' : (commonRedirectProblem(uri) ?? check(uri));
        if (message) problems.push({ field: `${field}.${index}`, message });
      });
      return problems;
    }
  }
}

/** Rules for every kind: an absolute URI without fragment, whitespace or embedded credentials. */
function commonRedirectProblem(uri: string): string | undefined {
  // URL parsing would trim or percent-encode these, so the stored value would never match.
  if (/[\s\u0000-\u001f\u007f]/.test(uri)) return 'must not contain whitespace or control characters';
  const parsed = parse(uri);
  if (!parsed) return 'must be an absolute URI';
  // RFC 6749 §3.1.2: the code is appended as a query; a fragment would swallow it.
  if (uri.includes('#')) return 'must not contain a fragment (#)';
  if (parsed.username || parsed.password) return 'must not contain a user name or password';
  return undefined;
}

/** Web apps: https, or plain http only to the developer's own machine. */
function webRedirectProblem(uri: string): string | undefined {
  const { protocol, hostname } = parse(uri)!;
  if (protocol === 'https:' && hostname) return undefined;
  if (protocol === 'http:' && WEB_LOOPBACK_HOSTS.has(hostname)) return undefined;
  return 'must be https, or http on localhost, 127.0.0.1 or [::1]';
}

/**
 * Mobile apps (public clients, RFC 8252): a private-use scheme such as `com.example.app:/callback`
 * that only the app registers, or a loopback listener (any port is accepted at sign-in).
 */
function mobileRedirectProblem(uri: string): string | undefined {
  const { protocol, hostname } = parse(uri)!;
  if (protocol === 'http:') return NATIVE_LOOPBACK_HOSTS.has(hostname) ? undefined : 'http is only for a loopback listener on 127.0.0.1 or [::1]';
  if (protocol === 'https:') return 'must be a private-use scheme such as com.example.app:/callback, or http://127.0.0.1/…';
  // The scheme as written: URL lower-cases it, but the app registers exactly this one.
  const scheme = uri.slice(0, uri.indexOf(':'));
  if (!REVERSE_DOMAIN_SCHEME.test(scheme)) return 'a private-use scheme must be a reverse domain name in lower case, such as com.example.app:/callback';
  return undefined;
}

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}
