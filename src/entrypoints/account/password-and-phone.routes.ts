import type { Router } from '@koa/router';
import type { SendRefusal } from '../../domain/second-factor/second-factor-method.js';
import { pageClock, pageMinutesUntil, t } from '../pages/rendering/page-text.js';
import { passwordProblemTexts } from '../pages/rendering/password-problems.js';
import type { AccountDependencies } from './account-dependencies.js';
import { formField, frameOf, renderAccountPage, seeOther, signedInForm, signedInOrSignIn, typedCode } from './account-request.js';

/** Why a code could not be texted, in the person's words (catalog keys). */
const SEND_REFUSALS: Record<SendRefusal, string> = {
  invalid_phone: 'account.send_invalid_phone',
  country_not_allowed: 'account.send_country_not_allowed',
  budget_exhausted: 'account.send_budget_exhausted',
  number_limit: 'account.send_number_limit',
  user_limit: 'account.send_user_limit',
  ip_limit: 'account.send_ip_limit',
  delivery_failed: 'account.send_delivery_failed',
  too_soon: 'account.send_too_soon',
  too_many_codes: 'account.send_too_many_codes',
};

/** Which field each refusal of the password form is about (it is marked invalid and focused). */
const PASSWORD_ERROR_FIELDS = { wrong_current: 'current_password', mismatch: 'confirm_password', same_as_current: 'new_password', weak: 'new_password', locked: 'current_password' } as const;

export function registerPasswordAndPhoneRoutes(router: Router, deps: AccountDependencies): void {
  const { webApp } = deps;

  router.get('/account/password', async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (!request) return;
    renderAccountPage(ctx, 'account-password', { ...frameOf(request, webApp, 'password'), minLength: request.tenant.settings.password.min_length, focus: 'current_password' });
  });

  router.post('/account/password', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const outcome = await deps.account.password.change(request.subject, { current: formField(ctx, 'current_password'), next: formField(ctx, 'new_password'), repeat: formField(ctx, 'confirm_password') });
    if (outcome.changed) {
      // This session made the cut itself: it stays signed in (every other one ends).
      await webApp.renew(request);
      return seeOther(ctx, '/account?done=password-changed');
    }
    const now = new Date();
    const error =
      outcome.reason === 'locked'
        ? t('account.password_locked', { until: pageClock(outcome.until, now, request.tenant.settings.time_zone), wait: pageMinutesUntil(outcome.until, now) })
        : t({ wrong_current: 'account.wrong_current', mismatch: 'common.passwords_differ', same_as_current: 'account.same_as_current', weak: 'common.stronger_password' }[outcome.reason]);
    // Passwords are never written back into the page: the fields start empty again.
    renderAccountPage(
      ctx,
      'account-password',
      { ...frameOf(request, webApp, 'password'), minLength: request.tenant.settings.password.min_length, error, errorField: PASSWORD_ERROR_FIELDS[outcome.reason], problems: 'problems' in outcome && outcome.problems ? passwordProblemTexts(outcome.problems) : undefined },
      outcome.reason === 'locked' ? 429 : 400,
    );
  });

  router.get('/account/phone', async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (!request) return;
    const pending = request.session.state.phoneChange as { challengeId: string; last4: string } | undefined;
    const shown = ctx.query.step === 'code' ? pending : undefined;
    renderAccountPage(ctx, 'account-phone', { ...frameOf(request, webApp, 'phone'), phone: request.user.phone, pending: shown, focus: shown ? 'code' : 'phone' });
  });

  router.post('/account/phone', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const typed = formField(ctx, 'phone', 64);
    const started = await deps.account.phone.start(request.subject, typed);
    if (!started.started) return renderAccountPage(ctx, 'account-phone', { ...frameOf(request, webApp, 'phone'), phone: request.user.phone, typedPhone: typed, error: t(SEND_REFUSALS[started.reason]), errorField: 'phone' }, 400);
    await webApp.save(request, { phoneChange: { challengeId: started.challengeId, last4: started.last4 } });
    seeOther(ctx, '/account/phone?step=code');
  });

  router.post('/account/phone/confirm', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const pending = request.session.state.phoneChange as { challengeId: string; last4: string } | undefined;
    if (!pending) return seeOther(ctx, '/account/phone');
    const code = typedCode(ctx, 32);
    const outcome = await deps.account.phone.confirm(request.subject, pending.challengeId, code);
    if (outcome.ok) {
      await webApp.save(request, { phoneChange: undefined });
      return seeOther(ctx, '/account?done=phone-changed');
    }
    const stillOpen = outcome.reason === 'wrong_code';
    const error = stillOpen ? t('common.wrong_code', { count: outcome.triesLeft }) : t('account.phone_code_closed');
    if (!stillOpen) await webApp.save(request, { phoneChange: undefined });
    // The code typed stays (as typed, trimmed) so a slip can be corrected rather than retyped.
    renderAccountPage(ctx, 'account-phone', { ...frameOf(request, webApp, 'phone'), phone: request.user.phone, pending: stillOpen ? pending : undefined, code: stillOpen ? code : undefined, error, errorField: stillOpen ? 'code' : 'phone' }, 400);
  });
}
