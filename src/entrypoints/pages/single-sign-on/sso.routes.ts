import type { Router } from '@koa/router';
import { readDeviceHash } from '../../../infrastructure/http/device-cookie.js';
import { currentRequestId } from '../../../infrastructure/observability/request-context.js';
import { finishPasswordStep } from '../login/complete-sign-in.js';
import { renderLoginPage } from '../login/login.routes.js';
import { renderSignedOut } from '../logout/logout-pages.js';
import { goUpstream, type SsoPageDependencies } from './upstream-redirect.js';
import { renderMessage } from '../rendering/page-renderer.js';
import { t } from '../rendering/page-text.js';
import { signInSource } from '../sign-in-source.js';
import { refusalPage } from './sso-messages.js';
import { forgetTripCookie, readTripCookie } from './upstream-trip-cookie.js';

/** The interaction id at the front of the state Gatehouse sends upstream. */
const STATE_PREFIX = /^([A-Za-z0-9_-]{1,64})\./;

/**
 * Sign-in through the tenant's own provider: the button and home-realm discovery send the
 * browser upstream, the fixed callback brings it back to its sign-in, and the sign-in goes on
 * as after a password (second factor per the tenant's policy, then the application).
 */
export function registerSsoRoutes(router: Router, deps: SsoPageDependencies): void {
  router.post('/interaction/:uid/sso', async (ctx) => {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'login') return ctx.redirect(`/interaction/${details.uid}`);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const identifier = typeof body.username === 'string' ? body.username.trim().slice(0, 256) : '';
    const connection = identifier ? await deps.homeRealm.forIdentifier(identifier) : undefined;
    if (!connection) {
      ctx.status = 400;
      const client = await deps.provider.Client.find(String(details.params.client_id));
      return renderLoginPage(ctx, details, {
        username: identifier,
        clientName: client?.clientName,
        error: identifier ? t('login.sso_none') : t('login.sso_enter'),
      });
    }
    await goUpstream(ctx, deps, details, connection, { loginHint: identifier, afterForm: true, remember: body.remember === 'on' });
  });

  // Again, after a refusal that trying again may cure (a cancelled sign-in, a failed upstream).
  router.get('/interaction/:uid/sso/retry', async (ctx) => {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    const connection = typeof ctx.query.tenant === 'string' ? await deps.homeRealm.forTenantHint(ctx.query.tenant) : undefined;
    if (details.prompt.name !== 'login' || !connection) return ctx.redirect(`/interaction/${details.uid}?sso=off`);
    await goUpstream(ctx, deps, details, connection, { chooseAccount: true });
  });

  // The one redirect URI registered upstream: the state says which sign-in it belongs to.
  router.get('/sso/callback', async (ctx) => {
    const uid = typeof ctx.query.state === 'string' ? STATE_PREFIX.exec(ctx.query.state)?.[1] : undefined;
    if (!uid) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = renderMessage({ title: t('common.cannot_continue'), alert: true, message: t('sso.no_state'), errorId: currentRequestId() });
      return;
    }
    ctx.redirect(`/interaction/${uid}/sso/callback?${ctx.querystring}`);
  });

  // Back from the upstream's end-session endpoint: on to where Gatehouse's sign-out was going.
  router.get('/sso/signed-out', (ctx) => {
    const then = deps.upstreamSignOut.returnTo(typeof ctx.query.state === 'string' ? ctx.query.state : undefined);
    if (then) return ctx.redirect(then);
    ctx.type = 'html';
    ctx.body = renderSignedOut();
  });

  router.get('/interaction/:uid/sso/callback', async (ctx) => {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    const client = await deps.provider.Client.find(String(details.params.client_id));
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const trip = readTripCookie(ctx, deps.ssoTripSeal, details.uid, state);
    if (!trip || details.prompt.name !== 'login') {
      forgetTripCookie(ctx, details.uid);
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = renderMessage({
        title: t('common.cannot_continue'),
        alert: true,
        message: t('sso.foreign_answer'),
        linkUrl: `/interaction/${details.uid}?sso=off`,
        linkText: t('sso.start_again'),
        errorId: currentRequestId(),
      });
      return;
    }
    const callbackUrl = new URL(`${trip.redirectUri}?${ctx.querystring}`);
    // The trip is forgotten only once this settles. When storage fails meanwhile, the person is
    // told to try again in a moment (503), and trying again must find the trip: the upstream's
    // code is still good if storage failed before it was redeemed, and if not, the upstream
    // itself refuses it a second time (a page that sends the person back there).
    const outcome = await deps.federatedSignIn.complete(trip, callbackUrl, signInSource(ctx, client));
    forgetTripCookie(ctx, details.uid);
    if (!outcome.ok) {
      const page = refusalPage(outcome.reason, outcome.connection, outcome.upstreamError);
      ctx.status = page.status;
      ctx.type = 'html';
      ctx.body = renderMessage({
        title: page.title,
        alert: true,
        message: page.message,
        ...(page.retry && outcome.connection
          ? { linkUrl: `/interaction/${details.uid}/sso/retry?tenant=${outcome.connection.tenant_id}`, linkText: t('common.try_again') }
          : { linkUrl: `/interaction/${details.uid}/abort`, linkText: t('common.return_to_application') }),
        ...(outcome.connection && !outcome.connection.required ? { secondaryUrl: `/interaction/${details.uid}?sso=off`, secondaryText: t('sso.password_instead') } : {}),
        errorId: currentRequestId(),
      });
      return;
    }
    const facts = deps.signInFacts.remember(ctx, deps.signInFacts.of(outcome.user, readDeviceHash(ctx), { tenant: outcome.tenant }));
    await finishPasswordStep(ctx, deps, details, facts, outcome.amr, { remember: trip.remember });
  });
}

