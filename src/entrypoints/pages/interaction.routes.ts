import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import { errors } from 'oidc-provider';
import { grantFirstPartyScopes } from './consent/first-party-grant.js';
import { registerForgotPasswordRoutes, type ForgotPasswordDependencies } from './forgot-password/forgot-password.routes.js';
import { registerPasswordChangeRoutes, renderPasswordChange, type PasswordChangeDependencies } from './password-change/password-change.routes.js';
import { DEFAULT_TENANT_SETTINGS } from '../../domain/tenants/tenant-settings.js';
import { createSecondFactorPages, type SecondFactorPageDependencies } from './second-factor/second-factor.routes.js';
import { registerLoginRoutes, renderLoginPage } from './login/login.routes.js';
import { registerSsoRoutes } from './single-sign-on/sso.routes.js';
import { routeByHints, type SsoPageDependencies } from './single-sign-on/upstream-redirect.js';
import type { PasskeySignIn } from '../../domain/sign-in/passkey-sign-in.service.js';
import { renderMessage } from './rendering/page-renderer.js';
import { t } from './rendering/page-text.js';
import { applyUiLocales } from '../../infrastructure/i18n/page-language.js';
import { REFUSAL_WORDING } from '../oidc/refusal-wording.js';
import { rejectMalformedBody } from '../../infrastructure/http/input-guard.js';
import { allowInteractionFormTargets } from '../oidc/form-targets.js';
import { htmlErrorPage } from './provider-pages.js';
import { brandSignInPages, type PageBrandDependencies } from './brand-of-interaction.js';
import type { TenantLogos } from '../../domain/tenants/tenant-logo.js';
import type { SecretBox } from '../../infrastructure/crypto/secret-box.js';
import { applicationOf, openRestart, rememberSignInStart, wayOnward } from './way-onward.js';
import { RETRY_AFTER_SECONDS } from '../../infrastructure/storage/storage-faults.js';

/**
 * The hosted pages of an authorization request. GET /interaction/:uid shows whatever the
 * interaction policy asks for next; each flow registers its own form handlers.
 */
export type HostedPageDependencies = ForgotPasswordDependencies &
  PasswordChangeDependencies &
  SecondFactorPageDependencies &
  SsoPageDependencies &
  PageBrandDependencies & {
    passkeySignIn: PasskeySignIn;
    tenantLogos: TenantLogos;
    /** Seals the authorization request a sign-in page can start over (way-onward.ts). */
    restartSeal: SecretBox;
    /**
     * True while the store of sign-ins in progress (Redis) is set aside: a sign-in begun before
     * then is out of reach, not gone, and its page must not say it expired.
     */
    signInsOutOfReach: () => boolean;
  };

export function createInteractionRouter(deps: HostedPageDependencies): Router {
  const router = new Router();
  const secondFactorPages = createSecondFactorPages(deps);
  router.use(expiredInteractionPage(deps.restartSeal, deps.signInsOutOfReach));
  router.use(brandSignInPages(deps));
  router.use(async (ctx, next) => {
    // Sign-in pages carry personal details and one-time form tokens: never cached, never back-buttoned from a cache.
    ctx.set('Cache-Control', 'no-store');
    await next();
    const uid = /^\/interaction\/([^/]+)/.exec(ctx.path)?.[1];
    if (uid && ctx.response.is('html')) await allowInteractionFormTargets(ctx, deps.provider, uid);
  });
  router.use(async (ctx, next) => {
    // The application's ui_locales come first (page-language.ts): they are in the interaction.
    if (/^\/interaction\/[^/]+/.test(ctx.path)) {
      const details = await deps.provider.interactionDetails(ctx.req, ctx.res).catch(() => undefined);
      applyUiLocales(details?.params.ui_locales);
    }
    await next();
  });
  router.use(bodyParser({ enableTypes: ['form'], formLimit: '16kb' }));
  router.use(rejectMalformedBody(htmlErrorPage));

  router.get('/interaction/:uid', async (ctx) => {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    const client = await deps.provider.Client.find(String(details.params.client_id));
    // Remembered on the sign-in's first page: an expired or used page can start it over.
    rememberSignInStart(ctx, deps.restartSeal, details, applicationOf(client), deps.secureCookies);
    switch (details.prompt.name) {
      case 'login': {
        if (await routeByHints(ctx, deps, details)) return;
        return renderLoginPage(ctx, details, { clientName: client?.clientName, ssoOffered: await deps.homeRealm.offered() });
      }
      case 'password_change': {
        const facts = await deps.signInFacts.forAccount(ctx, String(details.session?.accountId));
        const tenant = facts ? await facts.tenant() : undefined;
        return renderPasswordChange(ctx, details, (tenant?.settings ?? DEFAULT_TENANT_SETTINGS).password.min_length, { username: facts?.user.username });
      }
      case 'second_factor':
        return secondFactorPages.show(ctx, details);
      case 'consent': {
        const user = details.session?.accountId ? (await deps.signInFacts.forAccount(ctx, details.session.accountId))?.user : undefined;
        if (!user) {
          const url = await deps.provider.interactionResult(ctx.req, ctx.res, { error: 'login_required', error_description: REFUSAL_WORDING.login_required });
          return ctx.redirect(url);
        }
        const grantId = await grantFirstPartyScopes(deps.provider, details, user);
        const url = await deps.provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        return ctx.redirect(url);
      }
      default:
        ctx.status = 400;
        ctx.body = renderMessage({ title: t('common.cannot_continue'), alert: true, message: t('interaction.unknown_step') });
    }
  });

  router.get('/interaction/:uid/abort', async (ctx) => {
    const url = await deps.provider.interactionResult(ctx.req, ctx.res, {
      error: 'access_denied',
      error_description: REFUSAL_WORDING.cancelled,
    }, { mergeWithLastSubmission: false });
    ctx.redirect(url);
  });

  registerLoginRoutes(router, deps);
  registerSsoRoutes(router, deps);
  registerForgotPasswordRoutes(router, deps);
  registerPasswordChangeRoutes(router, deps);
  secondFactorPages.register(router);
  return router;
}

/**
 * An interaction cookie that expired or never existed, or a page used already (Back after signing
 * in, then submitting again): a page that starts the same sign-in over at the same application,
 * not an error dump. While Redis is set aside, a sign-in begun before is only out of reach: the
 * page says so (503, Retry-After) and offers the same way onward, which works at once (a new
 * sign-in is kept in PostgreSQL meanwhile); the old page works again once Redis answers.
 */
function expiredInteractionPage(restartSeal: SecretBox, signInsOutOfReach: () => boolean) {
  return async (ctx: Parameters<Parameters<Router['use']>[0]>[0], next: () => Promise<unknown>) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof errors.SessionNotFound) && !(err instanceof errors.InvalidRequest)) throw err;
      const restart = openRestart(ctx, restartSeal);
      const outOfReach = err instanceof errors.SessionNotFound && signInsOutOfReach();
      ctx.status = outOfReach ? 503 : 400;
      if (outOfReach) ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
      ctx.type = 'html';
      const key = outOfReach ? 'interaction.out_of_reach' : 'interaction.expired';
      ctx.body = renderMessage({
        title: t(`${key}_title`),
        alert: true,
        message: restart ? t(`${key}_restart`) : t(key),
        ...wayOnward({ restart }),
      });
    }
  };
}
