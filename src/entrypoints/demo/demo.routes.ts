import { createHash, randomBytes } from 'node:crypto';
import { Router } from '@koa/router';
import { renderPage } from '../pages/rendering/page-renderer.js';
import { DEMO } from './demo-objects.js';

const COOKIE = 'gatehouse_demo';

/**
 * The home page and a minimal demo relying party (authorization code + PKCE with the demo web
 * client), so a newcomer sees a whole sign-in end on a page with the tokens.
 */
export function createDemoRouter(options: { issuer: string; demoEnabled: boolean }): Router {
  const router = new Router();
  const redirectUri = `${options.issuer}${DEMO.callbackPath}`;

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = renderPage('home', { demo: options.demoEnabled });
  });
  if (!options.demoEnabled) return router;

  router.get('/demo/login', (ctx) => {
    const state = randomBytes(16).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    ctx.cookies.set(COOKIE, `${state}.${verifier}`, { httpOnly: true, sameSite: 'lax', signed: true, maxAge: 10 * 60 * 1000 });
    const url = new URL(`${options.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: DEMO.web.clientId,
      response_type: 'code',
      scope: 'openid profile email offline_access',
      prompt: 'consent',
      redirect_uri: redirectUri,
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    ctx.redirect(url.toString());
  });

  router.get(DEMO.callbackPath, async (ctx) => {
    const [state, verifier] = (ctx.cookies.get(COOKIE, { signed: true }) ?? '').split('.');
    ctx.cookies.set(COOKIE, null);
    ctx.type = 'html';
    if (ctx.query.error || !state || ctx.query.state !== state || typeof ctx.query.code !== 'string') {
      ctx.status = 400;
      ctx.body = renderPage('message', { title: 'Demo sign-in did not finish', alert: true, message: String(ctx.query.error_description ?? ctx.query.error ?? 'The sign-in was interrupted.'), linkUrl: '/demo/login', linkText: 'Try again' });
      return;
    }
    const response = await fetch(`${options.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${DEMO.web.clientId}:${DEMO.web.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: ctx.query.code, redirect_uri: redirectUri, code_verifier: verifier! }),
    });
    const tokens = (await response.json()) as Record<string, unknown>;
    // The ID token came straight from the token endpoint over our own back channel, so its
    // payload can be shown without re-verifying the signature (OIDC Core §3.1.3.7).
    const idToken = typeof tokens.id_token === 'string' ? tokens.id_token : '';
    const claims = idToken ? JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8')) : tokens;
    const logoutUrl = `${options.issuer}/session/end?client_id=${DEMO.web.clientId}&post_logout_redirect_uri=${encodeURIComponent(`${options.issuer}/`)}${idToken ? `&id_token_hint=${idToken}` : ''}`;
    ctx.body = renderPage('demo-result', { claims: JSON.stringify(claims, null, 2), tokens: JSON.stringify(tokens, null, 2), logoutUrl });
  });
  return router;
}
