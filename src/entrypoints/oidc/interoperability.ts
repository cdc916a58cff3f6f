import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { FORM, mediaType } from '../../infrastructure/http/media-type.js';
import { REFUSAL_WORDING } from './refusal-wording.js';
import { readBody, replaceBody } from './request-body.js';
import { PROVIDER_GRANT_TYPE_NOT_ALLOWED, PROVIDER_NO_CLIENT_AUTHENTICATION } from './token-refusals.js';

/**
 * What standard relying parties send that the provider, as configured, would refuse although the
 * specifications allow it, and the error codes the specifications name where the provider picks
 * another. Each is installed in front of the provider's routes.
 */
export function installInteroperability(provider: Provider): void {
  acceptFormPostedBrowserRequests(provider);
  acceptEmptySecretOfPublicClients(provider);
  answerWithTheSpecifiedErrorCodes(provider);
}

/**
 * OpenID Connect Core §3.1.2.1 and RP-Initiated Logout §2: the authorization and end-session
 * endpoints MUST accept POST. A form posted from the app's site is a cross-site POST, which
 * carries no SameSite=Lax cookie, so handing it to the provider would forget the person's
 * session (and `prompt=none` would always fail). Redirected (303) to the same endpoint with the
 * same parameters, the browser comes back with a top-level GET, which does carry them; the
 * session cookie stays Lax.
 */
function acceptFormPostedBrowserRequests(provider: Provider): void {
  const paths = new Set([provider.pathFor('authorization'), provider.pathFor('end_session')]);
  // Not async where it only passes the request on: every token request passes here.
  provider.use((ctx, next) => (ctx.method !== 'POST' || !paths.has(ctx.path) || !ctx.is('application/x-www-form-urlencoded') ? next() : redirectToGet(ctx)));
  const redirectToGet = async (ctx: Koa.Context) => {
    const body = await readBody(ctx.req);
    if (body === undefined) {
      ctx.status = 413;
      ctx.body = 'The request parameters are too large.';
      return undefined;
    }
    const query = new URLSearchParams(body).toString();
    ctx.status = 303;
    ctx.redirect(query ? `${ctx.path}?${query}` : ctx.path);
  };
}

/**
 * Some public clients (oidc-agent, for one) authenticate with HTTP Basic and an empty password,
 * which RFC 6749 §2.3.1 allows ("client_id:") and the provider refuses ("client_secret must be
 * provided"). For a client registered without a secret (`none`), the header is taken for what it
 * is: the client_id, moved into the body where the provider reads it. Any other client keeps the
 * header and is refused as before.
 */
function acceptEmptySecretOfPublicClients(provider: Provider): void {
  const paths = new Set(['token', 'device_authorization', 'revocation', 'pushed_authorization_request'].map((route) => provider.pathFor(route)));
  provider.use((ctx, next) => {
    if (ctx.method !== 'POST' || !paths.has(ctx.path)) return next();
    const clientId = basicClientIdWithoutSecret(ctx.get('authorization'));
    return !clientId || mediaType(ctx.get('content-type')) !== FORM ? next() : moveIntoBody(ctx, next, clientId);
  });
  const moveIntoBody = async (ctx: Koa.Context, next: Koa.Next, clientId: string) => {
    const client = await provider.Client.find(clientId);
    if (client?.clientAuthMethod !== 'none') return next();
    const body = await readBody(ctx.req);
    if (body === undefined) {
      ctx.status = 413;
      ctx.body = { error: 'invalid_request', error_description: 'the request body is too large' };
      return undefined;
    }
    const params = new URLSearchParams(body);
    if (!params.has('client_id')) params.set('client_id', clientId);
    // Different ids in header and body stay different: the provider refuses the mismatch.
    if (params.get('client_id') === clientId) delete ctx.req.headers.authorization;
    replaceBody(ctx.req, params.toString());
    return next();
  };
}

/** `client_id` of `Basic base64(client_id:)`; undefined for anything else. */
function basicClientIdWithoutSecret(header: string): string | undefined {
  const encoded = /^basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  if (!decoded.endsWith(':') || decoded.indexOf(':') !== decoded.length - 1) return undefined;
  try {
    // RFC 6749 §2.3.1: form-urlencoded before base64.
    return decodeURIComponent(decoded.slice(0, -1).replace(/\+/g, '%20')) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * RFC 6749 §5.2 and the introspection and revocation RFCs name the error codes; the provider
 * words two cases otherwise:
 * - a grant type the client is not registered for is `unauthorized_client`, not `invalid_request`;
 * - introspection or revocation without client authentication is `invalid_client` with 401
 *   (RFC 7662 §2.1 requires authentication), not a 400.
 */
function answerWithTheSpecifiedErrorCodes(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next();
    const route = (ctx as KoaContextWithOIDC).oidc?.route;
    const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
    if (!route || !body || typeof body !== 'object' || body.error !== 'invalid_request') return;
    if (route === 'token' && body.error_description === PROVIDER_GRANT_TYPE_NOT_ALLOWED) {
      body.error = 'unauthorized_client';
      body.error_description = REFUSAL_WORDING.grant_type_not_registered;
    } else if ((route === 'introspection' || route === 'revocation') && body.error_description === PROVIDER_NO_CLIENT_AUTHENTICATION) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', `Basic realm="${provider.issuer}"`);
      body.error = 'invalid_client';
      body.error_description = REFUSAL_WORDING.client_authentication_required;
    }
  });
}
