import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { renderPage } from '../rendering/page-renderer.js';
import type { PasswordChangeService } from '../../../domain/passwords/password-change.service.js';
import type { InteractionDependencies, InteractionDetails } from '../interaction-context.js';
import { completeIfLastStep, progressOf, seeOther } from '../login/complete-sign-in.js';

export interface PasswordChangeDependencies extends InteractionDependencies {
  passwords: PasswordChangeService;
}

type Details = InteractionDetails;

/**
 * The forced change after signing in with a temporary password (the `password_change` prompt):
 * no token is issued until the user has chosen their own password.
 */
export function registerPasswordChangeRoutes(router: Router, deps: PasswordChangeDependencies): void {
  router.post('/interaction/:uid/password-change', async (ctx) => {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'password_change') return ctx.redirect(`/interaction/${details.uid}`);
    const facts = await deps.signInFacts.forAccount(ctx, String(details.session?.accountId));
    if (!facts) return ctx.redirect(`/interaction/${details.uid}`);
    const { user } = facts;
    const tenant = await facts.tenant();
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).slice(0, 1024) : '');
    const again = (error: string, problems?: string[]) => renderPasswordChange(ctx, details, tenant.settings.password.min_length, { error, problems }, 400);

    if (user.password_expires_at && user.password_expires_at <= new Date()) return again('This temporary password has expired. Ask your administrator for a new one.');
    if (askCurrent(details) && !(await deps.signIn.confirmPassword(user, text('password')))) return again('The temporary password is not right.');
    const newPassword = text('new_password');
    if (newPassword !== text('confirm_password')) return again('The two new passwords are not the same.');
    if (await deps.signIn.confirmPassword(user, newPassword)) return again('Choose a password different from the temporary one.');
    const problems = deps.passwords.problems(tenant, user.username, newPassword);
    if (problems.length) return again('Choose a stronger password:', problems);

    await deps.passwords.change(tenant, user, { password: newPassword, how: 'by you after signing in with a temporary password' });
    const changed = deps.signInFacts.of({ ...user, password_temporary: false }, facts.deviceHash, { tenant });
    await completeIfLastStep(ctx, deps, details, changed, progressOf(details));
    const url = await deps.provider.interactionResult(ctx.req, ctx.res, {}, { mergeWithLastSubmission: true });
    seeOther(ctx, url);
  });
}

export function renderPasswordChange(ctx: Context, details: Details, minLength: number, view: { error?: string; problems?: string[] } = {}, status = 200): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = renderPage('password-change', { action: `/interaction/${details.uid}/password-change`, askCurrent: askCurrent(details), minLength, ...view });
}

/** The temporary password is asked again only if it was not just typed in this same sign-in. */
function askCurrent(details: Details): boolean {
  return !details.lastSubmission?.login;
}
