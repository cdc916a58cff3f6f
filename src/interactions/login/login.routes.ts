import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { completeSignIn } from './complete-sign-in.js';
import type { InteractionDependencies } from '../interaction-context.js';
import { renderPage } from '../../pages/page-renderer.js';

// Long enough for any real username or passphrase, short enough that nobody makes us hash megabytes.
const MAX_USERNAME_LENGTH = 256;
const MAX_PASSWORD_LENGTH = 1024;

const MESSAGES = {
  missing: 'Enter your username and password.',
  invalid_credentials: 'The username or password is incorrect.',
  disabled: 'This account is disabled. Contact your organisation\'s administrator.',
  temporary_password_expired: 'This temporary password has expired. Ask your organisation\'s administrator for a new one.',
};

type Details = Awaited<ReturnType<InteractionDependencies['provider']['interactionDetails']>>;

export function renderLoginPage(ctx: Context, details: Details, view: { username?: string; error?: string; clientName?: string }): void {
  const uid = details.uid;
  ctx.type = 'html';
  ctx.body = renderPage('login', {
    action: `/interaction/${uid}/login`,
    abortUrl: `/interaction/${uid}/abort`,
    forgotPasswordUrl: `/interaction/${uid}/forgot-password`,
    username: view.username ?? (details.params.login_hint as string | undefined),
    error: view.error,
    clientName: view.clientName,
  });
}

/** The password step: POST /interaction/:uid/login. */
export function registerLoginRoutes(router: Router, deps: InteractionDependencies): void {
  router.post('/interaction/:uid/login', async (ctx) => {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'login') return ctx.redirect(`/interaction/${details.uid}`);
    const client = await deps.provider.Client.find(String(details.params.client_id));
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.trim().slice(0, MAX_USERNAME_LENGTH) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, MAX_PASSWORD_LENGTH) : '';
    const again = (error: string, status: number) => {
      ctx.status = status;
      renderLoginPage(ctx, details, { username, error, clientName: client?.clientName });
    };
    if (!username || !password) return again(MESSAGES.missing, 400);

    const result = await deps.signIn.verifyPassword(username, password);
    if (!result.ok) return again(MESSAGES[result.reason], 401);

    await completeSignIn(ctx, deps, details, result.user);
  });
}

