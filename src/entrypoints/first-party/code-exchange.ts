/**
 * Redeeming a first-party app's authorization code.
 *
 * Why over loopback: the app posts the code to the provider's own token endpoint through this
 * process's own listening socket (`http://127.0.0.1:<PORT>/token`), not to the public issuer
 * URL (a load balancer or a split-horizon DNS may not let the process reach its own public
 * name), and not by reading the code out of storage in-process. Going through the real endpoint
 * keeps every check the provider and Gatehouse make there in one place — PKCE, redirect URI,
 * single use (a replay revokes the grant), the client's tenancy, the user's `tokens_valid_after`
 * and disabled flag, and the events a refused code writes — instead of a second, quietly
 * diverging copy. The cost is one local HTTP request per sign-in.
 *
 * The ID token comes back over that same connection from this very process, so its claims are
 * read without verifying its signature (OpenID Connect Core §3.1.3.7 allows this for a token
 * received directly from the token endpoint over a channel the client trusts); issuer,
 * audience, expiry and nonce are still checked.
 */
export interface CodeExchange {
  tokenEndpoint: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  code: string;
  codeVerifier: string;
  nonce: string;
  now: Date;
}

/** The claims of a validated ID token that a first-party app needs. */
export interface SignedInClaims {
  sub: string;
  sid?: string;
  amr?: string[];
  authTime?: number;
}

export class CodeExchangeError extends Error {}

const EXCHANGE_TIMEOUT_MS = 10_000;

export async function redeemCode(exchange: CodeExchange): Promise<SignedInClaims> {
  const response = await fetch(exchange.tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(exchange.clientId)}:${encodeURIComponent(exchange.clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: exchange.code, redirect_uri: exchange.redirectUri, code_verifier: exchange.codeVerifier }).toString(),
    signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS),
  });
  const body = (await response.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown; error_description?: unknown };
  if (!response.ok || typeof body.id_token !== 'string') throw new CodeExchangeError(`the token endpoint refused the code: ${String(body.error ?? response.status)} ${String(body.error_description ?? '')}`.trim());
  const claims = payloadOf(body.id_token);
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== exchange.issuer) throw new CodeExchangeError('ID token of another issuer');
  if (!audience.includes(exchange.clientId)) throw new CodeExchangeError('ID token for another client');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < exchange.now.getTime()) throw new CodeExchangeError('ID token expired');
  if (claims.nonce !== exchange.nonce) throw new CodeExchangeError('ID token of another sign-in (nonce)');
  if (typeof claims.sub !== 'string' || !claims.sub) throw new CodeExchangeError('ID token without a subject');
  return {
    sub: claims.sub,
    sid: typeof claims.sid === 'string' ? claims.sid : undefined,
    amr: Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : undefined,
    authTime: typeof claims.auth_time === 'number' ? claims.auth_time : undefined,
  };
}

function payloadOf(jwt: string): Record<string, unknown> {
  const [, payload] = jwt.split('.');
  try {
    return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new CodeExchangeError('unreadable ID token');
  }
}
