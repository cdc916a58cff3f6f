import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import { errors } from 'oidc-provider';
import { grantFirstPartyScopes } from './consent/first-party-grant.js';
import type { InteractionDependencies } from './interaction-context.js';
import { registerLoginRoutes, renderLoginPage } from './login/login.routes.js';
import { renderMessage } from '../pages/page-renderer.js';

/**
 * The hosted pages of an authorization request. GET /interaction/:uid shows whatever the
 * interaction policy asks for next; each flow registers its own form handlers.
 */
export function createInteractionRouter(deps: InteractionDependencies): Router {
  const router = new Router();
  router.use(expiredInteractionPage);
  router.use(bodyParser({ enableTypes: ['form'], formLimit: '16kb' }));

  router.get('/interaction/:uid', async (ctx) => {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    switch (details.prompt.name) {
      case 'login': {
        const client = await deps.provider.Client.find(String(details.params.client_id));
        return renderLoginPage(ctx, details, { clientName: client?.clientName });
      }
      case 'consent': {
        const user = details.session?.accountId ? await deps.users.findById(details.session.accountId) : undefined;
        if (!user) {
          const url = await deps.provider.interactionResult(ctx.req, ctx.res, { error: 'login_required', error_description: 'sign in again' });
          return ctx.redirect(url);
        }
        const grantId = await grantFirstPartyScopes(deps.provider, details, user);
        const url = await deps.provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        return ctx.redirect(url);
      }
      default:
        ctx.status = 400;
        ctx.body = renderMessage({ title: 'This sign-in cannot continue', alert: true, message: 'Gatehouse does not know this step. Go back to the application and sign in again.' });
    }
  });

  router.get('/interaction/:uid/abort', async (ctx) => {
    const url = await deps.provider.interactionResult(ctx.req, ctx.res, {
      error: 'access_denied',
      error_description: 'the person cancelled the sign-in',
    }, { mergeWithLastSubmission: false });
    ctx.redirect(url);
  });

  // Until self-service recovery lands, the login page's link must not be a dead end.
  router.get('/interaction/:uid/forgot-password', (ctx) => {
    ctx.type = 'html';
    ctx.body = renderMessage({
      title: 'Forgot your password?',
      message: "Ask your organisation's administrator to reset it for you.",
      linkUrl: `/interaction/${encodeURIComponent(ctx.params.uid!)}`,
      linkText: 'Back to sign-in',
    });
  });

  registerLoginRoutes(router, deps);
  return router;
}

/** An interaction cookie that expired or never existed: a page with a way back, not an error dump. */
async function expiredInteractionPage(ctx: Parameters<Parameters<Router['use']>[0]>[0], next: () => Promise<unknown>) {
  try {
    await next();
  } catch (err) {
    if (!(err instanceof errors.SessionNotFound) && !(err instanceof errors.InvalidRequest)) throw err;
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = renderMessage({
      title: 'This sign-in page has expired',
      alert: true,
      message: 'It was open too long, or was already used. Go back to the application and sign in again.',
      linkUrl: '/',
      linkText: 'Go to the start page',
    });
  }
}
