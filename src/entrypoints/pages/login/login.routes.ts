import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { PasswordLoginOutcome } from '../../../domain/sign-in/password-login.service.js';
import { readDeviceHash } from '../../../infrastructure/http/device-cookie.js';
import { finishPasswordStep } from './complete-sign-in.js';
import type { PasskeySignIn } from '../../../domain/sign-in/passkey-sign-in.service.js';
import type { InteractionDetails } from '../interaction-context.js';
import { renderPage } from '../rendering/page-renderer.js';
import { pageClock, pageDay, pageMinutesUntil, t } from '../rendering/page-text.js';
import { signInSource } from '../sign-in-source.js';
import { goUpstream, type SsoPageDependencies } from '../single-sign-on/upstream-redirect.js';

// Long enough for any real username or passphrase, short enough that nobody makes us hash megabytes.
const MAX_USERNAME_LENGTH = 256;
const MAX_PASSWORD_LENGTH = 1024;

// Catalog keys (infrastructure/i18n/locales), looked up in the page's language when shown.
const PASSKEY_MESSAGES = {
  not_recognised: 'login.passkey_not_recognised',
  not_allowed: 'login.passkey_not_allowed',
  disabled: 'login.disabled',
};

const MESSAGES = {
  missing: 'login.missing',
  invalid_credentials: 'login.invalid_credentials',
  disabled: 'login.disabled',
  temporary_password_expired: 'login.temporary_password_expired',
};

type Details = InteractionDetails;

export function renderLoginPage(ctx: Context, details: Details, view: { username?: string; error?: string; errorField?: 'username' | 'password'; clientName?: string; ssoOffered?: boolean; remember?: boolean }): void {
  const uid = details.uid;
  const username = view.username ?? (details.params.login_hint as string | undefined);
  ctx.type = 'html';
  ctx.body = renderPage('login', {
    action: `/interaction/${uid}/login`,
    abortUrl: `/interaction/${uid}/abort`,
    forgotPasswordUrl: `/interaction/${uid}/forgot-password`,
    passkeyAction: `/interaction/${uid}/passkey`,
    passkeyOptionsUrl: `/interaction/${uid}/passkey-options`,
    ssoAction: view.ssoOffered ? `/interaction/${uid}/sso` : undefined,
    remember: view.remember,
    username,
    error: view.error,
    // A refused password keeps the username and puts the person back in the password field.
    errorField: view.errorField,
    focus: username ? 'password' : 'username',
    clientName: view.clientName,
  });
}

/** The password step: POST /interaction/:uid/login; and a passkey instead, where the tenant allows it. */
export function registerLoginRoutes(router: Router, deps: SsoPageDependencies & { passkeySignIn: PasskeySignIn }): void {
  router.get('/interaction/:uid/passkey-options', async (ctx) => {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await deps.passkeySignIn.options(details.uid);
  });

  router.post('/interaction/:uid/passkey', async (ctx) => {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'login') return ctx.redirect(`/interaction/${details.uid}`);
    const client = await deps.provider.Client.find(String(details.params.client_id));
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const response = typeof body.response === 'string' ? body.response.slice(0, 16_384) : '';
    const result = await deps.passkeySignIn.verify(details.uid, response, signInSource(ctx, client));
    if (!result.ok) {
      ctx.status = result.reason === 'disabled' ? 401 : 400;
      return renderLoginPage(ctx, details, { error: t(PASSKEY_MESSAGES[result.reason]), clientName: client?.clientName });
    }
    const facts = deps.signInFacts.remember(ctx, deps.signInFacts.of(result.user, readDeviceHash(ctx), { tenant: result.tenant }));
    await finishPasswordStep(ctx, deps, details, facts, [result.amr]);
  });

  router.post('/interaction/:uid/login', async (ctx) => {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'login') return ctx.redirect(`/interaction/${details.uid}`);
    const client = await deps.provider.Client.find(String(details.params.client_id));
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.trim().slice(0, MAX_USERNAME_LENGTH) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, MAX_PASSWORD_LENGTH) : '';
    // "Stay signed in on this device": off unless chosen, so a shared computer forgets the session.
    const remember = body.remember === 'on';
    const again = async (error: string, status: number) => {
      ctx.status = status;
      renderLoginPage(ctx, details, { username, error, errorField: username ? 'password' : 'username', clientName: client?.clientName, ssoOffered: await deps.homeRealm.offered(), remember });
    };
    // The user, their tenant and this browser's record, read once for both steps below.
    const deviceHash = readDeviceHash(ctx);
    const found = username ? await deps.passwordLogin.find(username, deviceHash) : null;
    // Home-realm discovery: a name without a password, or anyone of a tenant where single
    // sign-on is required, goes to the organisation's own sign-in.
    const connection = username ? await deps.homeRealm.forFoundUsername(username, found) : undefined;
    if (connection && (!password || connection.required)) return goUpstream(ctx, deps, details, connection, { loginHint: username, afterForm: true, remember });
    if (!username || !password) return again(t(MESSAGES.missing), 400);

    const result = await deps.passwordLogin.attempt({ username, password, deviceHash, source: signInSource(ctx, client), found });
    if (!result.ok) {
      const refusal = refusalOf(result, new Date());
      if (refusal.retryAfterSeconds) ctx.set('Retry-After', String(refusal.retryAfterSeconds));
      return again(refusal.message, refusal.status);
    }

    const facts = deps.signInFacts.remember(ctx, deps.signInFacts.of(result.user, deviceHash, { tenant: result.tenant, device: result.device }));
    await finishPasswordStep(ctx, deps, details, facts, ['pwd'], { remember });
  });
}

/**
 * What the login page says to a refused password. A lock reads the same whether or not the
 * username exists (unknown names are counted and locked alike); only a browser that signed in
 * as the user before hears that a password is a previous one.
 */
function refusalOf(outcome: Exclude<PasswordLoginOutcome, { ok: true }>, now: Date): { message: string; status: number; retryAfterSeconds?: number } {
  const locked = (until: Date) => ({ status: 429, retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) });
  // UTC, not the tenant's zone: a lock reads the same whether or not the username exists.
  const lockNotice = (until: Date) => t('login.lock_notice', { until: pageClock(until, now), wait: pageMinutesUntil(until, now) });
  switch (outcome.reason) {
    case 'locked':
      return { message: `${lockNotice(outcome.until)} ${t('login.locked_then')}`, ...locked(outcome.until) };
    case 'invalid_credentials':
    case 'previous_password': {
      const wrong = outcome.reason === 'previous_password' ? t('login.previous_password', { day: pageDay(outcome.changedAt) }) : t(MESSAGES.invalid_credentials);
      return outcome.lockedUntil ? { message: `${wrong} ${lockNotice(outcome.lockedUntil)}`, ...locked(outcome.lockedUntil) } : { message: wrong, status: 401 };
    }
    default:
      return { message: t(MESSAGES[outcome.reason]), status: 401 };
  }
}
