import type { Router } from '@koa/router';
import type { SendRefusal } from '../../domain/second-factor/second-factor-method.js';
import { clock, minutesUntil } from '../../infrastructure/formatting/human-time.js';
import type { AccountDependencies } from './account.routes.js';
import { formField, frameOf, renderAccountPage, seeOther, signedInForm, signedInOrSignIn } from './account-request.js';

/** Why a code could not be texted, in the person's words. */
const SEND_REFUSALS: Record<SendRefusal, string> = {
  invalid_phone: 'That does not look like a mobile number. Check it and try again.',
  country_not_allowed: 'Text messages cannot be sent to numbers of that country for your organisation.',
  budget_exhausted: "Your organisation's text message budget for this month is used up. Ask your administrator.",
  number_limit: 'Too many codes were sent to that number. Try again later.',
  user_limit: 'Too many codes were sent for your account. Try again later.',
  ip_limit: 'Too many codes were requested from your network. Try again later.',
  delivery_failed: 'The text message could not be sent. Try again in a moment.',
  too_soon: 'A code was sent moments ago. Wait a little before asking again.',
  too_many_codes: 'Too many codes were sent. Try again later.',
};

export function registerPasswordAndPhoneRoutes(router: Router, deps: AccountDependencies): void {
  const { webApp } = deps;

  router.get('/account/password', async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (!request) return;
    renderAccountPage(ctx, 'account-password', { ...frameOf(request, webApp, 'password'), minLength: request.tenant.settings.password.min_length });
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
    const errors: Record<typeof outcome.reason, string> = {
      wrong_current: 'Your current password is not right.',
      mismatch: 'The two new passwords are not the same.',
      same_as_current: 'Choose a password different from your current one.',
      weak: 'Choose a stronger password:',
      locked: outcome.reason === 'locked' ? `Too many failed attempts: try again at ${clock(outcome.until, now)} (${minutesUntil(outcome.until, now)}).` : '',
    };
    renderAccountPage(ctx, 'account-password', { ...frameOf(request, webApp, 'password'), minLength: request.tenant.settings.password.min_length, error: errors[outcome.reason], problems: 'problems' in outcome ? outcome.problems : undefined }, outcome.reason === 'locked' ? 429 : 400);
  });

  router.get('/account/phone', async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (!request) return;
    const pending = request.session.state.phoneChange as { challengeId: string; last4: string } | undefined;
    renderAccountPage(ctx, 'account-phone', { ...frameOf(request, webApp, 'phone'), phone: request.user.phone, pending: ctx.query.step === 'code' ? pending : undefined });
  });

  router.post('/account/phone', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const started = await deps.account.phone.start(request.subject, formField(ctx, 'phone', 64));
    if (!started.started) return renderAccountPage(ctx, 'account-phone', { ...frameOf(request, webApp, 'phone'), phone: request.user.phone, error: SEND_REFUSALS[started.reason] }, 400);
    await webApp.save(request, { phoneChange: { challengeId: started.challengeId, last4: started.last4 } });
    seeOther(ctx, '/account/phone?step=code');
  });

  router.post('/account/phone/confirm', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const pending = request.session.state.phoneChange as { challengeId: string; last4: string } | undefined;
    if (!pending) return seeOther(ctx, '/account/phone');
    const outcome = await deps.account.phone.confirm(request.subject, pending.challengeId, formField(ctx, 'code', 32).replace(/\s/g, ''));
    if (outcome.ok) {
      await webApp.save(request, { phoneChange: undefined });
      return seeOther(ctx, '/account?done=phone-changed');
    }
    const error =
      outcome.reason === 'wrong_code' ? `That code is not right. ${outcome.triesLeft} ${outcome.triesLeft === 1 ? 'try' : 'tries'} left.` : 'That code can no longer be used. Enter the number again to get a new code.';
    const stillOpen = outcome.reason === 'wrong_code';
    if (!stillOpen) await webApp.save(request, { phoneChange: undefined });
    renderAccountPage(ctx, 'account-phone', { ...frameOf(request, webApp, 'phone'), phone: request.user.phone, pending: stillOpen ? pending : undefined, error }, 400);
  });
}
