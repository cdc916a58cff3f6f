import type { Router } from '@koa/router';
import { pageHowLongAgo } from '../pages/rendering/page-text.js';
import type { AccountDependencies } from './account-dependencies.js';
import { formField, frameOf, renderAccountPage, seeOther, signedInForm, signedInOrSignIn } from './account-request.js';

/** Signed-in apps and devices, one line per app, with "sign out" for each. */
export function registerAppRoutes(router: Router, deps: AccountDependencies): void {
  const { webApp } = deps;

  router.get('/account/apps', async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (!request) return;
    const now = new Date();
    const apps = (await deps.account.apps.list(request.subject)).map((app) => ({ ...app, name: app.client_name ?? app.client_id, lastUsed: pageHowLongAgo(new Date(app.last_used_at), now, request.tenant.settings.time_zone) }));
    renderAccountPage(ctx, 'account-apps', { ...frameOf(request, webApp, 'apps'), apps });
  });

  router.post('/account/apps/sign-out', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    await deps.account.apps.signOut(request.subject, formField(ctx, 'client_id', 200));
    seeOther(ctx, '/account/apps?done=app-signed-out');
  });
}
