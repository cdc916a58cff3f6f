import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { FORM, mediaType } from '../../infrastructure/http/media-type.js';
import { readBody, replaceBody } from './request-body.js';

/*
 * JWT access tokens (RFC 9068) are for APIs that verify them on their own, without asking
 * Gatehouse. The provider keeps no record of them, so it could neither introspect nor revoke
 * one: a signed-out user's JWT would look active to an API that does ask. Gatehouse keeps the
 * same record as for an opaque token, under the token's `jti`, which sign-out, grant revocation
 * and the revocation endpoint delete like any other; introspection and revocation of a JWT are
 * answered from that record. What no record changes: an API that only verifies the signature
 * accepts the token until it expires (hence their short lifetime, lifetimes.ts).
 */

interface TokenModel {
  jti: string;
  constructor: { IN_PAYLOAD: string[]; adapter: Adapter };
  [property: string]: unknown;
}

/** `formats.customizers.jwt` of the provider: runs, awaited, as each JWT access token is issued. */
export async function rememberJwtAccessToken(_ctx: unknown, token: unknown, jwt: { payload: { iat?: number; exp?: number } }): Promise<void> {
  const model = token as TokenModel;
  const record: Record<string, unknown> = {};
  for (const property of model.constructor.IN_PAYLOAD) if (model[property] !== undefined) record[property] = model[property];
  const { iat, exp } = jwt.payload;
  Object.assign(record, { iat, exp, jti: model.jti });
  const ttl = Math.max(1, (exp ?? 0) - Math.floor(Date.now() / 1000));
  await model.constructor.adapter.upsert(model.jti, record as AdapterPayload, ttl);
}

/**
 * The provider refuses to introspect or revoke a JWT ("structured tokens cannot be
 * introspected"). A JWT access token Gatehouse signed is handed to it as its record's id (the
 * `jti`); any other JWT as an id nothing has, so it is inactive (introspection) or ignored
 * (revocation), as RFC 7662 and RFC 7009 want for tokens the server does not know.
 */
export function introspectJwtAccessTokens(provider: Provider, jwks: { keys: Record<string, unknown>[] }): void {
  const keys = jwks.keys.flatMap((jwk) => {
    try {
      return [{ kid: jwk.kid as string | undefined, key: createPublicKey({ key: jwk as never, format: 'jwk' }) }];
    } catch {
      return [];
    }
  });
  const paths = new Set([provider.pathFor('introspection'), provider.pathFor('revocation')]);
  // Not async where it only passes the request on: every token request passes here.
  provider.use((ctx, next) => (ctx.method !== 'POST' || !paths.has(ctx.path) || mediaType(ctx.get('content-type')) !== FORM ? next() : rewriteJwt(ctx, next)));
  const rewriteJwt = async (ctx: Koa.Context, next: Koa.Next) => {
    const body = await readBody(ctx.req);
    if (body === undefined) {
      ctx.status = 413;
      ctx.body = { error: 'invalid_request', error_description: 'the request body is too large' };
      return undefined;
    }
    // A JWT has two dots; a form without any carries none (an opaque token, nearly every request).
    if (!body.includes('.')) return next();
    const params = new URLSearchParams(body);
    const token = params.get('token');
    // Only a JWT is rewritten: an opaque token (nearly every request) goes on as it was sent.
    if (token && looksLikeJwt(token)) {
      params.set('token', ownAccessTokenId(token, keys) ?? randomBytes(32).toString('base64url'));
      replaceBody(ctx.req, params.toString());
    }
    return next();
  };
}

function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/** The `jti` of an access token Gatehouse signed (RFC 9068 `typ`), or undefined. */
function ownAccessTokenId(token: string, keys: { kid?: string; key: KeyObject }[]): string | undefined {
  const [encodedHeader, encodedPayload, encodedSignature] = token.split('.') as [string, string, string];
  let header: { alg?: string; kid?: string; typ?: string };
  let payload: { jti?: unknown };
  try {
    header = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(encodedPayload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (header.typ !== 'at+jwt' || typeof payload.jti !== 'string') return undefined;
  const data = Buffer.from(`${encodedHeader}.${encodedPayload}`);
  const signature = Buffer.from(encodedSignature, 'base64url');
  const signedByUs = keys.some(({ kid, key }) => (header.kid === undefined || kid === header.kid) && verifies(header.alg, data, key, signature));
  return signedByUs ? payload.jti : undefined;
}

function verifies(alg: string | undefined, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    switch (alg) {
      case 'RS256':
        return key.asymmetricKeyType === 'rsa' && verify('sha256', data, key, signature);
      case 'PS256':
        return key.asymmetricKeyType === 'rsa' && verify('sha256', data, { key, padding: 6, saltLength: 32 }, signature);
      case 'ES256':
        return key.asymmetricKeyType === 'ec' && verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}
