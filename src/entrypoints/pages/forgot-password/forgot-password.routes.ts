import { DEFAULT_TENANT_SETTINGS } from '../../../domain/tenants/tenant-settings.js';
import type { Router, RouterContext } from '@koa/router';
import { errors } from 'oidc-provider';
import { readDeviceHash } from '../../../infrastructure/http/device-cookie.js';
import { GatehouseError } from '../../../infrastructure/http/gatehouse-error.js';
import { renderMessage, renderPage } from '../rendering/page-renderer.js';
import { pageClock, t } from '../rendering/page-text.js';
import { passwordProblemTexts } from '../rendering/password-problems.js';
import type { RecoveryFlow } from '../../../domain/recovery/recovery-flow.repository.js';
import { RECOVERY_LIMITS, type CompletionFailure, type RecoveryService } from '../../../domain/recovery/recovery.service.js';
import type { UserRecord } from '../../../domain/users/user.js';
import { finishPasswordStep, seeOther } from '../login/complete-sign-in.js';
import type { InteractionDependencies } from '../interaction-context.js';
import type { HomeRealm } from '../../../domain/federation/home-realm.js';

export interface ForgotPasswordDependencies extends InteractionDependencies {
  recovery: RecoveryService;
  homeRealm: HomeRealm;
}

const DEFAULT_MIN_LENGTH = DEFAULT_TENANT_SETTINGS.password.min_length;

/**
 * The username typed to start a flow, kept in this browser for the flow's pages: the page that
 * sets the new password carries it for password managers (never looked up, so it shows the same
 * whether or not the account exists).
 */
const USERNAME_COOKIE = 'gatehouse_recovery_username';

/**
 * "Forgot your password?": username → emailed code → code and new password → back in the
 * sign-in that sent the person here (or a page saying what to do next). Served at two bases:
 * inside an authorization request (/interaction/:uid/forgot-password) and on its own
 * (/forgot-password, where the administrator's reset email leads).
 */
export function registerForgotPasswordRoutes(router: Router, deps: ForgotPasswordDependencies): void {
  for (const base of ['/interaction/:uid/forgot-password', '/forgot-password']) {
    router.get(base, (ctx) => renderStart(ctx, {}));

    router.post(base, async (ctx) => {
      const username = field(ctx, 'username').trim().slice(0, 256);
      if (!username) return renderStart(ctx, { error: t('forgot.enter_username') }, 400);
      // Where the organisation requires its own sign-in there is no Gatehouse password to reset.
      const connection = await deps.homeRealm.forIdentifier(username);
      if (connection?.required) {
        ctx.type = 'html';
        ctx.body = renderMessage({
          title: t('forgot.sso_title', { provider: connection.display_name }),
          message: t('forgot.sso_message', { provider: connection.display_name }),
          ...(ctx.params.uid ? { linkUrl: `/interaction/${ctx.params.uid}/sso/retry?tenant=${connection.tenant_id}`, linkText: t('forgot.sso_title', { provider: connection.display_name }) } : {}),
        });
        return;
      }
      try {
        const flow = await deps.recovery.start({ username, interactionUid: ctx.params.uid, ip: ctx.ip, userAgent: ctx.get('user-agent') });
        ctx.cookies.set(USERNAME_COOKIE, encodeURIComponent(username), {
          signed: true,
          httpOnly: true,
          sameSite: 'lax',
          secure: deps.secureCookies,
          path: flowPath(ctx, flow.id),
          maxAge: Math.max(0, flow.expires_at.getTime() - Date.now()),
          overwrite: true,
        });
        seeOther(ctx, flowPath(ctx, flow.id));
      } catch (err) {
        if (err instanceof GatehouseError && err.code === 'rate_limited') return renderStart(ctx, { error: rateLimitText(err), username }, 429);
        throw err;
      }
    });

    router.get(`${base}/:flowId`, async (ctx) => {
      const flow = await openFlow(ctx);
      if (!flow) return;
      // An emailed link opened after its reset ended says so at once, not after the form is filled.
      if (!deps.recovery.isOpen(flow)) return explainFailure(ctx, flow, { reason: flow.state === 'failed' ? 'too_many_attempts' : 'expired' }, '');
      const notice = ctx.query.resent === '1' ? t('common.new_code_sent') : undefined;
      await renderCodeStep(ctx, flow, { notice });
    });

    router.post(`${base}/:flowId/resend`, async (ctx) => {
      const flow = await openFlow(ctx);
      if (!flow) return;
      const result = await deps.recovery.resend(flow);
      if (result.sent) return seeOther(ctx, `${flowPath(ctx, flow.id)}?resent=1`);
      if (result.reason === 'closed') return deadEnd(ctx, t('forgot.closed_title'), t('forgot.get_new_code'));
      const error =
        result.reason === 'too_soon'
          ? t('common.wait_before_new_code', { seconds: result.retryAfterSeconds })
          : result.reason === 'per_hour_limit'
            ? t('forgot.hourly_limit', { limit: RECOVERY_LIMITS.codesPerUsernameHour, time: pageClock(new Date(Date.now() + result.retryAfterSeconds * 1000), new Date()) })
            : t('forgot.no_more_codes');
      await renderCodeStep(ctx, (await deps.recovery.find(flow.id))!, { error }, 429);
    });

    router.post(`${base}/:flowId`, async (ctx) => {
      const flow = await openFlow(ctx);
      if (!flow) return;
      // A pasted code may come with spaces or dashes ("123 456", "123-456"): the service ignores them.
      const code = field(ctx, 'code').trim().slice(0, 64);
      const result = await deps.recovery.complete(flow, { code, newPassword: field(ctx, 'new_password').slice(0, 1024), confirmPassword: field(ctx, 'confirm_password').slice(0, 1024), ip: ctx.ip, userAgent: ctx.get('user-agent') });
      if (!result.ok) return explainFailure(ctx, (await deps.recovery.find(flow.id))!, result, code);
      await returnToSignIn(ctx, result.user, result.flow);
    });
  }

  function renderStart(ctx: RouterContext, view: { error?: string; username?: string }, status = 200): void {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = renderPage('forgot-password', { action: basePath(ctx), backUrl: ctx.params.uid ? `/interaction/${ctx.params.uid}` : undefined, focus: 'username', errorField: 'username', ...view });
  }

  async function renderCodeStep(ctx: RouterContext, flow: RecoveryFlow, view: { error?: string; errorField?: 'code' | 'new_password' | 'confirm_password'; code?: string; notice?: string; problems?: string[] }, status = 200): Promise<void> {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = renderPage('recovery-code', {
      action: flowPath(ctx, flow.id),
      resendAction: `${flowPath(ctx, flow.id)}/resend`,
      resendWait: await deps.recovery.secondsUntilResend(flow),
      // Everyone sees the default rule until a right code proves the mailbox: a tenant's own rule
      // would tell a stranger that the username exists. A shorter password is then refused
      // with the tenant's rule spelled out.
      minLength: DEFAULT_MIN_LENGTH,
      backUrl: ctx.params.uid ? `/interaction/${ctx.params.uid}` : undefined,
      username: await usernameOf(ctx, flow),
      focus: 'code',
      ...view,
    });
  }

  /** What was typed stays (the code), except the passwords; the field in question is marked. */
  async function explainFailure(ctx: RouterContext, flow: RecoveryFlow, failure: CompletionFailure, code: string): Promise<void> {
    switch (failure.reason) {
      case 'wrong_code':
        return renderCodeStep(ctx, flow, { error: t('common.wrong_code', { count: failure.triesLeft }), errorField: 'code', code }, 400);
      case 'code_expired':
        return renderCodeStep(ctx, flow, { error: t('forgot.code_expired'), errorField: 'code', code }, 400);
      case 'mismatch':
        return renderCodeStep(ctx, flow, { error: t('common.passwords_differ'), errorField: 'new_password', code }, 400);
      case 'password_policy':
        return renderCodeStep(ctx, flow, { error: t('common.stronger_password'), errorField: 'new_password', problems: passwordProblemTexts(failure.problems), code }, 400);
      case 'too_many_attempts':
        return deadEnd(ctx, t('forgot.too_many_title'), t('forgot.too_many'));
      case 'expired':
        return deadEnd(ctx, t('forgot.expired_title'), t('forgot.get_new_code'));
    }
  }

  /** A closed step still offers a way on: start again (inside the same sign-in when there is one). */
  function deadEnd(ctx: RouterContext, title: string, message: string): void {
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = renderMessage({ title, message, alert: true, linkUrl: basePath(ctx), linkText: t('common.start_again') });
  }

  /**
   * Back into the sign-in that sent the person here, signed in with the new password; when that
   * sign-in is gone (another browser, expired), a page that says what to do — never a loop.
   */
  async function returnToSignIn(ctx: RouterContext, user: UserRecord, flow: RecoveryFlow): Promise<void> {
    if (ctx.params.uid && flow.interaction_uid === ctx.params.uid) {
      try {
        const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
        if (details.uid === ctx.params.uid && details.prompt.name === 'login') return await finishPasswordStep(ctx, deps, details, deps.signInFacts.of(user, readDeviceHash(ctx)));
      } catch (err) {
        if (!(err instanceof errors.SessionNotFound)) throw err;
      }
    }
    ctx.type = 'html';
    ctx.body = renderMessage({ title: t('forgot.changed_title'), message: t('forgot.changed') });
  }

  /**
   * The username the new password is for, for password managers: the one typed in this browser
   * to start the flow, or, on the administrator's emailed link, the account's own.
   */
  async function usernameOf(ctx: RouterContext, flow: RecoveryFlow): Promise<string | undefined> {
    const typed = ctx.cookies.get(USERNAME_COOKIE, { signed: true });
    if (typed) {
      try {
        return decodeURIComponent(typed);
      } catch {
        // A damaged cookie: as if there were none.
      }
    }
    return deps.recovery.usernameForEmailedLink(flow);
  }

  /** The flow of the URL, if it belongs to this base; otherwise a page with a way back. */
  async function openFlow(ctx: RouterContext): Promise<RecoveryFlow | undefined> {
    const flow = await deps.recovery.find(ctx.params.flowId!);
    if (!flow || (ctx.params.uid !== undefined && flow.interaction_uid !== ctx.params.uid)) {
      deadEnd(ctx, t('forgot.invalid_link_title'), t('forgot.invalid_link'));
      return undefined;
    }
    return flow;
  }
}

/** The recovery service's refusals carry how long to wait; the words are the page's. */
function rateLimitText(err: GatehouseError): string {
  const wait = Number(err.extensions.retry_after ?? 3600);
  if (/^At most/.test(err.message)) return t('forgot.hourly_limit', { limit: RECOVERY_LIMITS.codesPerUsernameHour, time: pageClock(new Date(Date.now() + wait * 1000), new Date()) });
  return t('forgot.network_limit', { wait: t('common.minutes', { count: Math.max(1, Math.ceil(wait / 60)) }) });
}

function basePath(ctx: RouterContext): string {
  return ctx.params.uid ? `/interaction/${encodeURIComponent(ctx.params.uid)}/forgot-password` : '/forgot-password';
}

function flowPath(ctx: RouterContext, flowId: string): string {
  return `${basePath(ctx)}/${flowId}`;
}

function field(ctx: RouterContext, name: string): string {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}
