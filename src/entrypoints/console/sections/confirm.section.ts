import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { type CodeMethod, type ConfirmOutcome, isCodeMethod } from '../../../domain/account/fresh-second-factor.js';
import { t } from '../../pages/rendering/page-text.js';
import { scriptJson } from '../../pages/rendering/script-json.js';
import { CONSOLE_PATH, type ConsoleRequest, consoleForm, formField, openConsole, queryField, renderConsole, seeOther } from '../console-request.js';
import { consoleSubject, keepSecondFactorProof } from '../console-second-factor.js';
import type { ConsoleDependencies, ConsoleSection } from '../console-section.js';

const CONFIRM_PATH = `${CONSOLE_PATH}/confirm`;

/** Only a page of the console is returned to (no open redirect). */
function consolePath(value: string): string {
  return value.startsWith(`${CONSOLE_PATH}/`) && !value.startsWith('//') && !value.includes('\\') ? value : CONSOLE_PATH;
}

/** `challengeId`/`method`: the code method chosen; `passkeyChallengeId`: the passkey step opened with the page. */
interface Confirming {
  challengeId?: string;
  method?: CodeMethod;
  passkeyChallengeId?: string;
  returnTo: string;
}

/** The passkey answer is the browser's JSON (a few kilobytes at most), not a typed code. */
const PASSKEY_ANSWER_MAX = 8192;

/**
 * "Confirm it is you" with a second factor before a destructive action, when the fresh sign-in
 * skipped it (a remembered browser): the account page's FreshSecondFactor, on a console page.
 * Choose a method (an SMS is sent then), enter the code, back to the action's page; or use the
 * passkey (its challenge is opened with the page, so its button asks the browser at the click).
 */
export const confirmSection: ConsoleSection = {
  id: 'confirm',
  path: CONFIRM_PATH,
  shownTo: () => true,
  register(router: Router, deps: ConsoleDependencies) {
    const { freshSecondFactor } = deps.account;
    const confirmingOf = (request: ConsoleRequest) => request.signedIn.session.state.confirming as Confirming | undefined;

    const show = async (ctx: Context, request: ConsoleRequest, returnTo: string, extra: Record<string, unknown> = {}, status = 200) => {
      const subject = consoleSubject(ctx, request.signedIn, deps.webApp.clientId);
      const available = await freshSecondFactor.available(subject);
      const pending = confirmingOf(request);
      const step = await freshSecondFactor.passkeyStep(subject, pending?.passkeyChallengeId);
      if (step && step.challengeId !== pending?.passkeyChallengeId) await deps.webApp.save(request.signedIn, { confirming: { ...pending, returnTo, passkeyChallengeId: step.challengeId } });
      renderConsole(ctx, 'console-confirm', request, '', {
        returnTo,
        options: available.filter(isCodeMethod).map((id) => ({ id, label: t(`console.confirm.methods.${id}`) })),
        passkey: step ? { optionsJson: scriptJson(step.options) } : undefined,
        pending: pending?.challengeId && pending.method ? { method: pending.method, label: t(`console.confirm.methods.${pending.method}`) } : undefined,
        focus: 'code',
        ...extra,
      }, status);
    };

    const confirmed = async (ctx: Context, request: ConsoleRequest, returnTo: string, outcome: Extract<ConfirmOutcome, { ok: true }>) => {
      await keepSecondFactorProof(deps, request.signedIn, outcome.proof);
      seeOther(ctx, `${returnTo}${returnTo.includes('?') ? '&' : '?'}done=confirmed`);
    };
    /** Drops a spent challenge from the session: the page offers a new one. */
    const forget = (request: ConsoleRequest, spent: Partial<Confirming>) =>
      deps.webApp.save(request.signedIn, { confirming: { ...confirmingOf(request), ...spent, returnTo: consolePath(confirmingOf(request)?.returnTo ?? CONSOLE_PATH) } });

    router.get(CONFIRM_PATH, async (ctx) => {
      const request = await openConsole(ctx, deps);
      if (!request) return;
      const returnTo = consolePath(queryField(ctx, 'return', 500) || confirmingOf(request)?.returnTo || CONSOLE_PATH);
      if (confirmingOf(request)?.returnTo !== returnTo) await deps.webApp.save(request.signedIn, { confirming: { returnTo } });
      await show(ctx, request, returnTo);
    });

    router.post(`${CONFIRM_PATH}/start`, async (ctx) => {
      const request = await consoleForm(ctx, deps);
      if (!request) return;
      const returnTo = consolePath(confirmingOf(request)?.returnTo ?? CONSOLE_PATH);
      const method = formField(ctx, 'method', 32);
      const started = await freshSecondFactor.start(consoleSubject(ctx, request.signedIn, deps.webApp.clientId), method);
      if (!started.started || !isCodeMethod(method)) return show(ctx, request, returnTo, { error: t('console.confirm.cannot_use') }, 400);
      await deps.webApp.save(request.signedIn, { confirming: { ...confirmingOf(request), challengeId: started.challengeId, method, returnTo } });
      seeOther(ctx, CONFIRM_PATH);
    });

    router.post(CONFIRM_PATH, async (ctx) => {
      const request = await consoleForm(ctx, deps);
      if (!request) return;
      const pending = confirmingOf(request);
      const returnTo = consolePath(pending?.returnTo ?? CONSOLE_PATH);
      if (!pending?.challengeId) return seeOther(ctx, CONFIRM_PATH);
      const outcome = await freshSecondFactor.confirm(consoleSubject(ctx, request.signedIn, deps.webApp.clientId), pending.challengeId, formField(ctx, 'code', 64).replace(/[\s-]/g, ''));
      if (outcome.ok) return confirmed(ctx, request, returnTo, outcome);
      if (outcome.reason !== 'wrong_code') await forget(request, { challengeId: undefined, method: undefined });
      const error = outcome.reason === 'wrong_code' ? t('console.confirm.wrong_code', { count: outcome.triesLeft ?? 0 }) : outcome.reason === 'locked' ? t('console.confirm.locked') : t('console.confirm.closed');
      await show(ctx, request, returnTo, { error, errorField: outcome.reason === 'wrong_code' ? 'code' : undefined }, 400);
    });

    // The passkey's answer, put in the form by the page's script (passkeys.js) with the form token.
    router.post(`${CONFIRM_PATH}/passkey`, async (ctx) => {
      const request = await consoleForm(ctx, deps);
      if (!request) return;
      const pending = confirmingOf(request);
      const returnTo = consolePath(pending?.returnTo ?? CONSOLE_PATH);
      if (!pending?.passkeyChallengeId) return seeOther(ctx, CONFIRM_PATH);
      const outcome = await freshSecondFactor.confirm(consoleSubject(ctx, request.signedIn, deps.webApp.clientId), pending.passkeyChallengeId, formField(ctx, 'code', PASSKEY_ANSWER_MAX));
      if (outcome.ok) return confirmed(ctx, request, returnTo, outcome);
      if (outcome.reason !== 'passkey_failed') await forget(request, { passkeyChallengeId: undefined });
      const error = outcome.reason === 'passkey_failed' ? t('console.confirm.passkey_failed', { count: outcome.triesLeft ?? 0 }) : outcome.reason === 'locked' ? t('console.confirm.locked') : t('console.confirm.passkey_closed');
      await show(ctx, request, returnTo, { error }, 400);
    });
  },
};
