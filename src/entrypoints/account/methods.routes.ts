import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { FreshProof } from '../../domain/account/fresh-second-factor.js';
import type { AddOutcome } from '../../domain/account/account-enrollment.js';
import type { MethodView } from '../../domain/second-factor/second-factor-admin.service.js';
import { pageHowLongAgo, t } from '../pages/rendering/page-text.js';
import { scriptJson } from '../pages/rendering/script-json.js';
import type { AccountDependencies } from './account-dependencies.js';
import { confirmingLabel } from './confirm.routes.js';
import { type AccountRequest, formField, frameOf, renderAccountPage, seeOther, signedInForm, signedInOrSignIn, typedCode } from './account-request.js';

/** The names Gatehouse gives methods itself (stored in English), in the page's language; a person's own name stays as typed. */
const DEFAULT_NAMES: Record<string, string> = { 'Text message': 'account.kind_sms', 'Recovery codes': 'account.kind_recovery_codes', 'Authenticator app': 'account.kind_totp', Passkey: 'account.kind_passkey' };

function shownMethod(method: MethodView, now: Date, timeZone: string) {
  const name = Object.hasOwn(DEFAULT_NAMES, method.name) ? t(DEFAULT_NAMES[method.name]!) : method.name;
  const detail = method.kind === 'recovery_codes' ? t('account.codes_left', { count: Number.parseInt(method.detail ?? '0', 10) || 0 }) : method.detail;
  return { ...method, name, detail, lastUsed: method.last_used_at ? pageHowLongAgo(new Date(method.last_used_at), now, timeZone) : null, renamable: method.kind === 'totp' || method.kind === 'passkey' };
}

/**
 * Second-factor methods: listed, named, removed, added. Removing (and adding, once the person
 * has a method) needs a fresh second factor of another method (/account/confirm), kept in the
 * session for 5 minutes.
 */
export function registerMethodRoutes(router: Router, deps: AccountDependencies): void {
  const { webApp } = deps;
  const { methods, freshSecondFactor, enrollment } = deps.account;

  const showMethods = async (request: AccountRequest, extra: Record<string, unknown> = {}) => {
    const now = new Date();
    const list = (await methods.list(request.subject)).map((m) => shownMethod(m, now, request.tenant.settings.time_zone));
    const proof = request.session.state.freshProof as FreshProof | undefined;
    return { ...frameOf(request, webApp, 'methods'), methods: list, addable: enrollment.offered(request.subject), freshWith: proof && freshSecondFactor.isFreshFor(proof, 'none') ? confirmingLabel(proof.method) : null, ...extra };
  };

  router.get('/account/methods', async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (!request) return;
    renderAccountPage(ctx, 'account-methods', await showMethods(request));
  });

  router.post('/account/methods/rename', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const methodId = formField(ctx, 'method', 64);
    if (await methods.rename(request.subject, methodId, formField(ctx, 'name', 200))) return seeOther(ctx, '/account/methods?done=method-renamed');
    const shown = await showMethods(request, { error: t('account.rename_invalid') });
    // The name field of the method being renamed is the one marked wrong.
    const index = (shown.methods as { id: string }[]).findIndex((m) => m.id === methodId);
    renderAccountPage(ctx, 'account-methods', { ...shown, errorField: index >= 0 ? `name-${index}` : undefined }, 400);
  });

  router.post('/account/methods/remove', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const outcome = await methods.remove(request.subject, formField(ctx, 'method', 64), request.session.state.freshProof as FreshProof | undefined);
    if (outcome.removed) return seeOther(ctx, '/account/methods?done=method-removed');
    const error = outcome.reason === 'needs_fresh_second_factor' ? t('account.remove_needs_fresh') : t('account.method_not_found');
    renderAccountPage(ctx, 'account-methods', await showMethods(request, { error, confirmLink: outcome.reason === 'needs_fresh_second_factor' }), outcome.reason === 'needs_fresh_second_factor' ? 403 : 404);
  });

  // Adding a method: the form names it; the setup page follows (an app's QR code, a passkey's
  // ceremony), or, for recovery codes, the new codes at once.
  router.post('/account/methods/add', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const hasMethods = (await methods.list(request.subject)).length > 0;
    const allowed = enrollment.mayAdd(request.subject, formField(ctx, 'method', 32), hasMethods, request.session.state.freshProof as FreshProof | undefined);
    if (!allowed.ok) {
      const needsFresh = allowed.reason === 'needs_fresh_second_factor';
      return renderAccountPage(ctx, 'account-methods', await showMethods(request, { error: t(needsFresh ? 'account.add_needs_fresh' : 'account.add_not_allowed'), confirmLink: needsFresh }), 403);
    }
    if (allowed.method === 'recovery_code') return showRecoveryCodes(ctx, request, await enrollment.newRecoveryCodes(request.subject));
    if (allowed.method === 'totp') {
      const setup = await enrollment.beginTotp(request.subject);
      await webApp.save(request, { adding: { method: 'totp', challengeId: setup.challenge.id } });
      return seeOther(ctx, '/account/methods/add/totp');
    }
    const started = await enrollment.beginPasskey(request.subject);
    await webApp.save(request, { adding: { method: 'passkey', challengeId: started.challengeId } });
    seeOther(ctx, '/account/methods/add/passkey');
  });

  const adding = (request: AccountRequest, method: 'totp' | 'passkey') => {
    const state = request.session.state.adding as { method: string; challengeId: string } | undefined;
    return state?.method === method ? state.challengeId : undefined;
  };
  const expired = async (ctx: Context, request: AccountRequest) => renderAccountPage(ctx, 'account-methods', await showMethods(request, { error: t('account.add_expired') }), 400);

  const showTotp = async (ctx: Context, request: AccountRequest, extra: Record<string, unknown> = {}, status = 200) => {
    const challengeId = adding(request, 'totp');
    const setup = challengeId ? await enrollment.resumeTotp(request.subject, challengeId) : undefined;
    if (!setup) return expired(ctx, request);
    renderAccountPage(ctx, 'account-add-totp', { ...frameOf(request, webApp, 'methods'), qrSvg: setup.qrSvg, secret: setup.secret, uri: setup.uri, focus: 'code', ...extra }, status);
  };

  router.get('/account/methods/add/totp', async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (request) await showTotp(ctx, request);
  });

  router.post('/account/methods/add/totp', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const challengeId = adding(request, 'totp');
    if (!challengeId) return expired(ctx, request);
    const code = typedCode(ctx);
    const outcome = await enrollment.confirmTotp(request.subject, challengeId, code);
    if (await finishedAdding(ctx, request, outcome)) return;
    await showTotp(ctx, request, { code, error: t('common.wrong_code', { count: outcome.ok ? 0 : outcome.triesLeft }), errorField: 'code' }, 400);
  });

  router.get('/account/methods/add/passkey', async (ctx) => {
    const request = await signedInOrSignIn(ctx, webApp);
    if (!request) return;
    const challengeId = adding(request, 'passkey');
    const options = challengeId ? await enrollment.passkeyOptions(request.subject, challengeId) : undefined;
    if (!options) return expired(ctx, request);
    renderAccountPage(ctx, 'account-add-passkey', { ...frameOf(request, webApp, 'methods'), optionsJson: scriptJson(options) });
  });

  router.post('/account/methods/add/passkey', async (ctx) => {
    const request = await signedInForm(ctx, webApp);
    if (!request) return;
    const challengeId = adding(request, 'passkey');
    if (!challengeId) return expired(ctx, request);
    // The browser's registration answer (JSON), put in the form by the page's script.
    const outcome = await enrollment.finishPasskey(request.subject, challengeId, formField(ctx, 'code', 8192));
    if (await finishedAdding(ctx, request, outcome)) return;
    const options = await enrollment.passkeyOptions(request.subject, challengeId);
    if (!options) return expired(ctx, request);
    renderAccountPage(ctx, 'account-add-passkey', { ...frameOf(request, webApp, 'methods'), optionsJson: scriptJson(options), error: t('account.passkey_failed') }, 400);
  });

  /**
   * The end of adding a method, whichever: added (with first recovery codes shown once, when
   * these are the person's first), or closed (expired, used up). true when answered; false for a
   * wrong code or answer, which the caller shows again on its own page.
   */
  const finishedAdding = async (ctx: Context, request: AccountRequest, outcome: AddOutcome): Promise<boolean> => {
    if (!outcome.ok && outcome.reason === 'wrong_code') return false;
    await webApp.save(request, { adding: undefined });
    if (!outcome.ok) await expired(ctx, request);
    else if (outcome.recoveryCodes) showRecoveryCodes(ctx, request, outcome.recoveryCodes);
    else seeOther(ctx, '/account/methods?done=method-added');
    return true;
  };

  /** New recovery codes are shown once, on the answer to the form itself: never stored to be shown again. */
  const showRecoveryCodes = (ctx: Context, request: AccountRequest, codes: string[]) => renderAccountPage(ctx, 'account-recovery-codes', { ...frameOf(request, webApp, 'methods'), codes });
}

