import type { Router } from '@koa/router';
import type { ConfirmingMethod, FreshProof } from '../../domain/account/fresh-second-factor.js';
import { howLongAgo } from '../../infrastructure/formatting/human-time.js';
import type { AccountDependencies } from './account.routes.js';
import { type AccountRequest, formField, frameOf, renderAccountPage, seeOther, signedInForm, signedInOrSignIn } from './account-request.js';

const CONFIRMING_LABELS: Record<ConfirmingMethod, string> = { totp: 'A code from your authenticator app', sms: 'A code texted to your phone', recovery_code: 'One of your recovery codes' };

/**
 * Second-factor methods (issue 15 item 6): listed, named, removed. Removing needs a fresh
 * second factor of another method (/account/confirm), kept in the session for 5 minutes.
 */
export function registerMethodRoutes(router: Router, deps: AccountDependencies): void {
  const { webApp } = deps;
  const { methods, freshSecondFactor } = deps.account;

  const showMethods = async (request: AccountRequest, extra: Record<string, unknown> = {}) => {
    const now = new Date();
    const list = (await methods.list(request.subject)).map((m) => ({ ...m, lastUsed: m.last_used_at ? howLongAgo(new Date(m.last_used_at), now) : null, renamable: m.kind === 'totp' || m.kind === 'passkey' }));
    const proof = request.session.state.freshProof as FreshProof | undefined;
    return { ...frameOf(request, webApp, 'methods'), methods: list, freshWith: proof && freshSecondFactor.isFreshFor(proof, 'none') ? CONFIRMING_LABELS[proof.method] : null, ...extra };
  };

  router.get('/account/methods', async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (!request) return;
    renderAccountPage(ctx, 'account-methods', await showMethods(request));
  });

  router.post('/account/methods/rename', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    if (await methods.rename(request.subject, formField(ctx, 'method', 64), formField(ctx, 'name', 200))) return seeOther(ctx, '/account/methods?done=method-renamed');
    renderAccountPage(ctx, 'account-methods', await showMethods(request, { error: 'Give the method a name of at most 60 characters.' }), 400);
  });

  router.post('/account/methods/remove', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const outcome = await methods.remove(request.subject, formField(ctx, 'method', 64), request.session.state.freshProof as FreshProof | undefined);
    if (outcome.removed) return seeOther(ctx, '/account/methods?done=method-removed');
    const error =
      outcome.reason === 'needs_fresh_second_factor'
        ? 'To remove a method, first confirm it is you with another method (within the last 5 minutes).'
        : 'That method was not found. It may have been removed already.';
    renderAccountPage(ctx, 'account-methods', await showMethods(request, { error, confirmLink: outcome.reason === 'needs_fresh_second_factor' }), outcome.reason === 'needs_fresh_second_factor' ? 403 : 404);
  });

  const showConfirm = async (request: AccountRequest, extra: Record<string, unknown> = {}) => {
    const available = await freshSecondFactor.available(request.subject);
    const pending = request.session.state.confirming as { challengeId: string; method: ConfirmingMethod } | undefined;
    return { ...frameOf(request, webApp, 'methods'), options: available.map((m) => ({ id: m, label: CONFIRMING_LABELS[m] })), pending: pending ? { ...pending, label: CONFIRMING_LABELS[pending.method] } : undefined, ...extra };
  };

  router.get('/account/confirm', async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (!request) return;
    renderAccountPage(ctx, 'account-confirm', await showConfirm(request));
  });

  router.post('/account/confirm/start', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const method = formField(ctx, 'method', 32) as ConfirmingMethod;
    const started = await freshSecondFactor.start(request.subject, method);
    if (!started.started) return renderAccountPage(ctx, 'account-confirm', await showConfirm(request, { error: 'That method cannot be used right now. Choose another.' }), 400);
    await webApp.save(request, { confirming: { challengeId: started.challengeId, method } });
    seeOther(ctx, '/account/confirm');
  });

  router.post('/account/confirm', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const pending = request.session.state.confirming as { challengeId: string; method: ConfirmingMethod } | undefined;
    if (!pending) return seeOther(ctx, '/account/confirm');
    const outcome = await freshSecondFactor.confirm(request.subject, pending.challengeId, formField(ctx, 'code', 64).replace(/\s/g, ''));
    if (outcome.ok) {
      await webApp.save(request, { confirming: undefined, freshProof: outcome.proof });
      return seeOther(ctx, '/account/methods?done=confirmed');
    }
    if (outcome.reason !== 'wrong_code') await webApp.save(request, { confirming: undefined });
    const error =
      outcome.reason === 'wrong_code'
        ? `That code is not right. ${outcome.triesLeft} ${outcome.triesLeft === 1 ? 'try' : 'tries'} left.`
        : outcome.reason === 'locked'
          ? 'Too many wrong codes: confirming is locked for a while.'
          : 'That code can no longer be used. Choose a method again.';
    const shown = await showConfirm(request, { error });
    if (outcome.reason !== 'wrong_code') shown.pending = undefined;
    renderAccountPage(ctx, 'account-confirm', shown, 400);
  });
}
