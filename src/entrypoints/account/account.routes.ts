import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import type { AccountDependencies } from './account-dependencies.js';
import { rejectMalformedBody } from '../../infrastructure/http/input-guard.js';
import { htmlErrorPage } from '../pages/provider-pages.js';
import { pageClock, t } from '../pages/rendering/page-text.js';
import { frameOf, renderAccountPage, signedInForm, signedInOrSignIn } from './account-request.js';
import { registerPasswordAndPhoneRoutes } from './password-and-phone.routes.js';
import { registerMethodRoutes } from './methods.routes.js';
import { registerAppRoutes } from './apps.routes.js';
import { registerConfirmRoutes } from './confirm.routes.js';

export type { AccountDependencies } from './account-dependencies.js';

export const ACCOUNT_PATH = '/account';

/**
 * The person's own page (/account): a first-party web app signed in through Gatehouse itself
 * (see first-party/), server-rendered, every change a form with this session's token.
 */
export function createAccountRouter(deps: AccountDependencies): Router {
  const router = new Router();
  router.use(bodyParser({ enableTypes: ['form'], formLimit: '16kb' }));
  router.use(rejectMalformedBody(htmlErrorPage));
  const { webApp } = deps;

  router.get(webApp.callbackPath, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const result = await webApp.finishSignIn(ctx);
    if (result.ok) return ctx.redirect(result.returnTo);
    renderAccountPage(ctx, 'account-message', { title: t('account.sign_in_unfinished_title'), message: t('account.sign_in_unfinished'), linkUrl: ACCOUNT_PATH, linkText: t('account.sign_in_to_account') }, 400);
  });

  router.get(ACCOUNT_PATH, async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (!request) return;
    const [methods, apps] = await Promise.all([deps.account.methods.list(request.subject), deps.account.apps.list(request.subject)]);
    renderAccountPage(ctx, 'account-home', { ...frameOf(request, webApp, 'home'), user: request.user, methods, apps });
  });

  router.post(`${ACCOUNT_PATH}/sign-out`, async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    await webApp.signOut(ctx);
    renderAccountPage(ctx, 'account-message', { title: t('account.signed_out_title'), message: t('account.signed_out'), linkUrl: ACCOUNT_PATH, linkText: t('account.sign_in_again') });
  });

  router.get(`${ACCOUNT_PATH}/activity`, async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (!request) return;
    const now = new Date();
    const timeZone = request.tenant.settings.time_zone;
    const lines = (await deps.account.activity.recent(request.user.id)).map((line) => ({ ...line, when: pageClock(line.at, now, timeZone), reason: line.outcome === 'succeeded' ? null : activityReason(line.reason) }));
    renderAccountPage(ctx, 'account-activity', { ...frameOf(request, webApp, 'activity'), lines });
  });

  registerPasswordAndPhoneRoutes(router, deps);
  registerMethodRoutes(router, deps);
  registerConfirmRoutes(router, deps);
  registerAppRoutes(router, deps);
  return router;
}

/** Why a sign-in failed, in the person's words; reasons without words of their own read "other reason". */
const ACTIVITY_REASONS = new Set(['wrong_password', 'unknown_user', 'wrong_code', 'too_many_wrong_codes', 'locked', 'previous_password', 'disabled']);

function activityReason(reason: string | null): string | null {
  if (!reason) return null;
  return t(ACTIVITY_REASONS.has(reason) ? `account.reason_${reason}` : 'account.reason_other');
}
