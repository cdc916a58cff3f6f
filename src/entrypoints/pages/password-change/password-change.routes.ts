import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { renderPage } from '../rendering/page-renderer.js';
import type { PasswordChangeService } from '../../../domain/passwords/password-change.service.js';
import type { InteractionDependencies, InteractionDetails } from '../interaction-context.js';
import { completeIfLastStep, progressOf, seeOther } from '../login/complete-sign-in.js';
import type { LockoutService } from '../../../domain/lockout/lockout.service.js';
import { lockoutSettingsOf } from '../../../domain/lockout/lockout-policy.js';
import { pageClock, pageMinutesUntil, t } from '../rendering/page-text.js';
import { passwordProblemTexts } from '../rendering/password-problems.js';
import { signInSource } from '../sign-in-source.js';
import type { SignInEvents } from '../../../domain/events/sign-in-events.js';

export interface PasswordChangeDependencies extends InteractionDependencies {
  passwords: PasswordChangeService;
  /** Wrong temporary passwords here count toward the same lockout as the login form's. */
  lockout: LockoutService;
  signInEvents: SignInEvents;
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
    const again = (error: string, errorField?: PasswordField, problems?: string[]) => renderPasswordChange(ctx, details, tenant.settings.password.min_length, { username: user.username, error, errorField, problems }, 400);

    if (user.password_expires_at && user.password_expires_at <= new Date()) return again(t('password_change.expired'));
    if (askCurrent(details)) {
      // The temporary password is a password like any other: guessing it here is as limited as at the login form.
      const client = await deps.provider.Client.find(String(details.params.client_id));
      const source = signInSource(ctx, client);
      const settings = lockoutSettingsOf(tenant);
      const knownBrowser = Boolean(await facts.device());
      const locked = (until: Date) => {
        const now = new Date();
        ctx.set('Retry-After', String(Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000))));
        return renderPasswordChange(ctx, details, tenant.settings.password.min_length, { username: user.username, error: t('password_change.locked', { until: pageClock(until, now, tenant.settings.time_zone), wait: pageMinutesUntil(until, now) }) }, 429);
      };
      const lock = await deps.lockout.lockFor({ username: user.username, source, settings, spareUsernameLock: knownBrowser });
      if (lock) return locked(lock.until);
      if (!(await deps.signIn.confirmPassword(user, text('password')))) {
        deps.signInEvents.failed(user, source, 'wrong_password', { step: 'password_change' });
        const started = await deps.lockout.recordFailure({ user, username: user.username, source, settings });
        const refusing = started.find((l) => l.scope !== 'username' || !knownBrowser);
        if (refusing) return locked(refusing.until);
        return again(t('password_change.wrong_temporary'), 'password');
      }
      await deps.lockout.recordSuccess(user.username, source);
    }
    const newPassword = text('new_password');
    if (newPassword !== text('confirm_password')) return again(t('common.passwords_differ'), 'new_password');
    if (await deps.signIn.confirmPassword(user, newPassword)) return again(t('password_change.same_as_temporary'), 'new_password');
    const problems = deps.passwords.problems(tenant, user.username, newPassword);
    if (problems.length) return again(t('common.stronger_password'), 'new_password', passwordProblemTexts(problems));

    await deps.passwords.change(tenant, user, { password: newPassword, how: 'by you after signing in with a temporary password' });
    const changed = deps.signInFacts.of({ ...user, password_temporary: false }, facts.deviceHash, { tenant });
    await completeIfLastStep(ctx, deps, details, changed, progressOf(details));
    const url = await deps.provider.interactionResult(ctx.req, ctx.res, {}, { mergeWithLastSubmission: true });
    seeOther(ctx, url);
  });
}

type PasswordField = 'password' | 'new_password' | 'confirm_password';

/** `username`: the account's, carried for password managers (autocomplete="username"). */
export function renderPasswordChange(ctx: Context, details: Details, minLength: number, view: { username?: string; error?: string; errorField?: PasswordField; problems?: string[] } = {}, status = 200): void {
  ctx.status = status;
  ctx.type = 'html';
  const ask = askCurrent(details);
  ctx.body = renderPage('password-change', { action: `/interaction/${details.uid}/password-change`, askCurrent: ask, minLength, focus: ask ? 'password' : 'new_password', ...view });
}

/** The temporary password is asked again only if it was not just typed in this same sign-in. */
function askCurrent(details: Details): boolean {
  return !details.lastSubmission?.login;
}
