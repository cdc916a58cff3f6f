import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import type { AccountActivity } from '../../domain/account/account-activity.js';
import type { AccountApps } from '../../domain/account/account-apps.js';
import type { AccountMethods } from '../../domain/account/account-methods.js';
import type { AccountPassword } from '../../domain/account/account-password.js';
import type { FreshSecondFactor } from '../../domain/account/fresh-second-factor.js';
import type { PhoneChange } from '../../domain/account/phone-change.js';
import { rejectMalformedBody } from '../../infrastructure/http/input-guard.js';
import type { FirstPartyWebApp } from '../first-party/first-party-web-app.js';
import { htmlErrorPage } from '../pages/provider-pages.js';
import { frameOf, renderAccountPage, signedInForm, signedInOrSignIn } from './account-request.js';
import { registerPasswordAndPhoneRoutes } from './password-and-phone.routes.js';
import { registerMethodRoutes } from './methods.routes.js';
import { registerAppRoutes } from './apps.routes.js';

export const ACCOUNT_PATH = '/account';

export interface AccountDependencies {
  webApp: FirstPartyWebApp;
  account: {
    password: AccountPassword;
    phone: PhoneChange;
    freshSecondFactor: FreshSecondFactor;
    methods: AccountMethods;
    apps: AccountApps;
    activity: AccountActivity;
  };
}

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
    renderAccountPage(ctx, 'account-message', { title: 'Sign-in did not finish', message: 'The sign-in to your account page was cancelled or took too long. Start again.', linkUrl: ACCOUNT_PATH, linkText: 'Sign in to your account' }, 400);
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
    renderAccountPage(ctx, 'account-message', { title: 'Signed out', message: 'You are signed out of your account page.', linkUrl: ACCOUNT_PATH, linkText: 'Sign in again' });
  });

  router.get(`${ACCOUNT_PATH}/activity`, async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (!request) return;
    const lines = await deps.account.activity.recent(request.user.id);
    renderAccountPage(ctx, 'account-activity', { ...frameOf(request, webApp, 'activity'), lines });
  });

  registerPasswordAndPhoneRoutes(router, deps);
  registerMethodRoutes(router, deps);
  registerAppRoutes(router, deps);
  return router;
}
