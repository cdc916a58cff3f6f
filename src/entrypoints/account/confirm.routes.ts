import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { type CodeMethod, type ConfirmingMethod, type ConfirmOutcome, isCodeMethod } from '../../domain/account/fresh-second-factor.js';
import { t } from '../pages/rendering/page-text.js';
import { scriptJson } from '../pages/rendering/script-json.js';
import type { AccountDependencies } from './account-dependencies.js';
import { type AccountRequest, formField, frameOf, renderAccountPage, seeOther, signedInForm, signedInOrSignIn, typedCode } from './account-request.js';

const CONFIRMING_LABELS: Record<ConfirmingMethod, string> = { passkey: 'account.confirming_passkey', totp: 'account.confirming_totp', sms: 'account.confirming_sms', recovery_code: 'account.confirming_recovery_code' };

/** How a method that confirmed it is you is named on the page, in its language. */
export function confirmingLabel(method: ConfirmingMethod): string {
  return t(CONFIRMING_LABELS[method]);
}

/** The passkey answer is the browser's JSON (a few kilobytes at most), not a typed code. */
const PASSKEY_ANSWER_MAX = 8192;

/**
 * "Confirm it is you" (/account/confirm): a code of one of the person's methods, or their
 * passkey. A code method is chosen first (an SMS is sent then) and its challenge kept in the
 * session (`confirming`); a passkey's challenge is opened with the page (`confirmingPasskey`),
 * so its button can ask the browser at the click. Passing either keeps a proof for 5 minutes.
 */
export function registerConfirmRoutes(router: Router, deps: AccountDependencies): void {
  const { webApp } = deps;
  const { freshSecondFactor } = deps.account;

  const pendingOf = (request: AccountRequest) => request.session.state.confirming as { challengeId: string; method: CodeMethod } | undefined;

  const showConfirm = async (request: AccountRequest, extra: Record<string, unknown> = {}) => {
    const available = await freshSecondFactor.available(request.subject);
    const known = request.session.state.confirmingPasskey as string | undefined;
    const step = await freshSecondFactor.passkeyStep(request.subject, known);
    if (step && step.challengeId !== known) await webApp.save(request, { confirmingPasskey: step.challengeId });
    const pending = pendingOf(request);
    return {
      ...frameOf(request, webApp, 'methods'),
      options: available.filter(isCodeMethod).map((m) => ({ id: m, label: confirmingLabel(m) })),
      passkey: step ? { optionsJson: scriptJson(step.options) } : undefined,
      pending: pending ? { ...pending, label: confirmingLabel(pending.method) } : undefined,
      focus: 'code',
      ...extra,
    };
  };

  const confirmed = async (ctx: Context, request: AccountRequest, outcome: Extract<ConfirmOutcome, { ok: true }>) => {
    await webApp.save(request, { confirming: undefined, confirmingPasskey: undefined, freshProof: outcome.proof });
    seeOther(ctx, '/account/methods?done=confirmed');
  };

  router.get('/account/confirm', async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (!request) return;
    renderAccountPage(ctx, 'account-confirm', await showConfirm(request));
  });

  router.post('/account/confirm/start', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const method = formField(ctx, 'method', 32);
    const started = await freshSecondFactor.start(request.subject, method);
    if (!started.started || !isCodeMethod(method)) return renderAccountPage(ctx, 'account-confirm', await showConfirm(request, { error: t('account.confirm_unavailable') }), 400);
    await webApp.save(request, { confirming: { challengeId: started.challengeId, method } });
    seeOther(ctx, '/account/confirm');
  });

  router.post('/account/confirm', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const pending = pendingOf(request);
    if (!pending) return seeOther(ctx, '/account/confirm');
    const code = typedCode(ctx);
    const outcome = await freshSecondFactor.confirm(request.subject, pending.challengeId, code);
    if (outcome.ok) return confirmed(ctx, request, outcome);
    if (outcome.reason !== 'wrong_code') await webApp.save(request, { confirming: undefined });
    const error = outcome.reason === 'wrong_code' ? t('common.wrong_code', { count: outcome.triesLeft ?? 0 }) : outcome.reason === 'locked' ? t('account.confirm_locked') : t('account.confirm_closed');
    const shown = await showConfirm(request, { error, errorField: outcome.reason === 'wrong_code' ? 'code' : undefined, code: outcome.reason === 'wrong_code' ? code : undefined });
    if (outcome.reason !== 'wrong_code') shown.pending = undefined;
    renderAccountPage(ctx, 'account-confirm', shown, 400);
  });

  // The passkey's answer, put in the form by the page's script (passkeys.js) with the form token.
  router.post('/account/confirm/passkey', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const challengeId = request.session.state.confirmingPasskey as string | undefined;
    if (!challengeId) return seeOther(ctx, '/account/confirm');
    const outcome = await freshSecondFactor.confirm(request.subject, challengeId, formField(ctx, 'code', PASSKEY_ANSWER_MAX));
    if (outcome.ok) return confirmed(ctx, request, outcome);
    // A spent or closed challenge is dropped: the page opens a new one.
    if (outcome.reason !== 'passkey_failed') await webApp.save(request, { confirmingPasskey: undefined });
    const error = outcome.reason === 'passkey_failed' ? t('account.confirm_passkey_failed', { count: outcome.triesLeft ?? 0 }) : outcome.reason === 'locked' ? t('account.confirm_locked') : t('account.confirm_passkey_closed');
    renderAccountPage(ctx, 'account-confirm', await showConfirm(request, { error }), 400);
  });
}
