import type { Router, RouterContext } from '@koa/router';
import type { Context } from 'koa';
import type { MethodId, SecondFactorAttempt, SendRefusal } from '../../../domain/second-factor/second-factor-method.js';
import type { Challenge } from '../../../domain/second-factor/challenge.repository.js';
import type { EnrollableMethod, SecondFactorDecision, SecondFactorService, SecondFactorState } from '../../../domain/second-factor/second-factor.service.js';
import type { SignInFacts } from '../../../domain/sign-in/sign-in-facts.js';
import { maskEmail, phoneLastDigits } from '../../../domain/users/contact-masking.js';
import { ensureDeviceHash } from '../../../infrastructure/http/device-cookie.js';
import { renderMessage, renderPage } from '../rendering/page-renderer.js';
import { pageClock, pageMinutesUntil, t } from '../rendering/page-text.js';
import { scriptJson } from '../rendering/script-json.js';
import type { InteractionDependencies, InteractionDetails } from '../interaction-context.js';
import { completeIfLastStep, progressOf, seeOther } from '../login/complete-sign-in.js';
import { acrFor } from '../../oidc/acr.js';
import { currentRequestId } from '../../../infrastructure/observability/request-context.js';

export interface SecondFactorPageDependencies extends InteractionDependencies {
  secondFactor: SecondFactorService;
}

/** One request's view of the step: the decision the policy handed over, and who is signing in. */
interface StepContext {
  details: InteractionDetails;
  decision: SecondFactorDecision;
  facts: SignInFacts;
  attempt: SecondFactorAttempt;
}

/**
 * The `second_factor` prompt's pages. The interaction policy decided what is due (a code to the
 * profile's phone, adding a phone, or the optional-mode warning) and handed it over in the
 * prompt's details; the state within that step comes from the sign-in's stored challenges. No
 * query flag chooses a step: every form acts on the state the flow is in.
 */
export function createSecondFactorPages(deps: SecondFactorPageDependencies) {
  const base = '/interaction/:uid/second-factor';

  /** GET /interaction/:uid while the `second_factor` prompt is pending: the state's page. */
  async function show(ctx: Context, details: InteractionDetails): Promise<void> {
    const step = await load(ctx, details);
    if (!step) return;
    render(ctx, step, await deps.secondFactor.current(step.attempt, step.decision, { start: true }));
  }

  function register(router: Router): void {
    // A code for whatever the step waits for (the SMS code, the emailed code, the new number's code), or "Send new code".
    router.post(base, async (ctx) => {
      const step = await loadForPost(ctx);
      if (!step) return;
      const state = await deps.secondFactor.current(step.attempt, step.decision, { start: false });
      const body = form(ctx);

      if (body.action === 'resend') {
        const outcome = await deps.secondFactor.resend(step.attempt, state);
        const now = await deps.secondFactor.current(step.attempt, step.decision, { start: false });
        if (outcome.sent) return render(ctx, step, now, { notice: outcome.delayed ? t(DELAYED_NOTICE) : t('common.new_code_sent') });
        if (outcome.reason === 'too_soon') return render(ctx, step, now, { error: refusalText(outcome), errorField: null }, 429);
        return render(ctx, step, { state: 'cannot_send', reason: outcome.reason, retryAfterSeconds: outcome.retryAfterSeconds, alternatives: 'alternatives' in now && now.state === 'challenge' ? now.alternatives : [] });
      }

      // Trimmed here; spaces and dashes inside a pasted code ("123 456", "123-456") the methods ignore.
      const code = (body.code ?? '').trim().slice(0, 16_384);
      // On a shared computer the person asks not to be remembered: the step is asked again next time.
      const rememberBrowser = body.shared === 'on' ? null : () => ensureDeviceHash(ctx, deps.secureCookies);
      const result = await deps.secondFactor.submitCode(step.attempt, state, code, rememberBrowser);
      // What was typed stays on the page after a refusal (a passkey's answer is no typing).
      const typed = code.length <= 64 ? code : undefined;
      switch (result.outcome) {
        case 'passed': {
          const amr = [...new Set([...((step.details.session?.amr as string[] | undefined) ?? ['pwd']), result.amr])];
          await completeIfLastStep(ctx, deps, step.details, step.facts, progressOf(step.details, { amr }));
          const remember = (step.details.lastSubmission?.login as { remember?: boolean } | undefined)?.remember;
          const url = await deps.provider.interactionResult(ctx.req, ctx.res, { login: { accountId: step.facts.user.id, amr, acr: acrFor(amr), remember } }, { mergeWithLastSubmission: true });
          if (!result.recoveryCodes) return seeOther(ctx, url);
          // A first method set up comes with recovery codes: shown once, then on to the app.
          ctx.type = 'html';
          ctx.body = renderPage('recovery-codes', { codes: result.recoveryCodes, continueUrl: url });
          return;
        }
        case 'email_proven':
        case 'no_code_expected':
          return seeOther(ctx, `/interaction/${step.details.uid}`);
        case 'locked':
          return renderLocked(ctx, step, result.until);
        case 'refused':
          switch (result.result.reason) {
            case 'wrong_code':
              return render(ctx, step, result.state, { error: t('common.wrong_code', { count: result.result.triesLeft }), code: typed }, 400);
            case 'code_expired':
              return render(ctx, step, result.state, { error: t('second_factor.code_expired'), code: typed }, 400);
            case 'too_many_attempts':
              // Not thrown out: the page says what happened and offers the ways on.
              if (result.lockedUntil) return renderLocked(ctx, step, result.lockedUntil);
              return render(ctx, step, result.state, { exhausted: true }, 400);
            case 'closed':
              return seeOther(ctx, `/interaction/${step.details.uid}`);
          }
      }
    });

    // The number to add, while the step waits for one.
    router.post(`${base}/phone`, async (ctx) => {
      const step = await loadForPost(ctx);
      if (!step) return;
      const state = await deps.secondFactor.current(step.attempt, step.decision, { start: false });
      const phone = (form(ctx).phone ?? '').trim().slice(0, 40);
      const outcome = await deps.secondFactor.submitPhone(step.attempt, state, phone);
      if (outcome.started) return seeOther(ctx, `/interaction/${step.details.uid}`);
      switch (outcome.reason) {
        case 'not_expected':
          return seeOther(ctx, `/interaction/${step.details.uid}`);
        case 'invalid_phone':
          return renderEnrollment(ctx, step, { phone, error: t('second_factor.invalid_phone') }, 400);
        case 'country_not_allowed':
          return renderEnrollment(ctx, step, { phone, error: t('second_factor.country_not_allowed') }, 400);
        default:
          return render(ctx, step, { state: 'cannot_send', reason: outcome.reason, retryAfterSeconds: outcome.retryAfterSeconds, alternatives: [] });
      }
    });

    // The administrator's one-time pass, where one was issued.
    router.post(`${base}/bypass`, async (ctx) => {
      const step = await loadForPost(ctx);
      if (!step) return;
      if (!(await deps.secondFactor.useBypass(step.attempt, step.decision))) return seeOther(ctx, `/interaction/${step.details.uid}`);
      await completeIfLastStep(ctx, deps, step.details, step.facts, progressOf(step.details, { secondFactorBypassed: true }));
      const url = await deps.provider.interactionResult(ctx.req, ctx.res, { second_factor: { bypassed: true } }, { mergeWithLastSubmission: true });
      seeOther(ctx, url);
    });

    // "Use an authenticator app (or a passkey) instead", where setting something up is offered.
    router.post(`${base}/setup`, async (ctx) => {
      const step = await loadForPost(ctx);
      if (!step) return;
      await deps.secondFactor.startSetup(step.attempt, await deps.secondFactor.current(step.attempt, step.decision, { start: false }), form(ctx).method ?? '');
      seeOther(ctx, `/interaction/${step.details.uid}`);
    });

    // "Try another way": another method the user has set up.
    router.post(`${base}/method`, async (ctx) => {
      const step = await loadForPost(ctx);
      if (!step) return;
      const state = await deps.secondFactor.current(step.attempt, step.decision, { start: false });
      const switched = await deps.secondFactor.switchMethod(step.attempt, state, form(ctx).method ?? '');
      if (switched.started || switched.reason === 'not_offered') return seeOther(ctx, `/interaction/${step.details.uid}`);
      // The way chosen failed: every other way set up is still offered.
      const chosen = form(ctx).method;
      const offered = state.state === 'challenge' ? [state.method, ...state.alternatives] : state.state === 'cannot_send' ? state.alternatives : [];
      return render(ctx, step, { state: 'cannot_send', reason: switched.reason, retryAfterSeconds: switched.retryAfterSeconds, alternatives: offered.filter((m) => m !== chosen) });
    });

    // The optional-mode warning: go on without a phone, or add one now.
    for (const [path, choice] of [
      ['continue', { acknowledged: true }],
      ['add-phone', { add_phone: true }],
    ] as const) {
      router.post(`${base}/${path}`, async (ctx) => {
        const step = await loadForPost(ctx);
        if (!step) return;
        if ((await deps.secondFactor.current(step.attempt, step.decision, { start: false })).state !== 'warn_no_phone') return seeOther(ctx, `/interaction/${step.details.uid}`);
        if ('acknowledged' in choice) await completeIfLastStep(ctx, deps, step.details, step.facts, progressOf(step.details, { warningAcknowledged: true }));
        const url = await deps.provider.interactionResult(ctx.req, ctx.res, { second_factor: choice }, { mergeWithLastSubmission: true });
        seeOther(ctx, url);
      });
    }
  }

  async function loadForPost(ctx: RouterContext): Promise<StepContext | undefined> {
    return load(ctx, await deps.provider.interactionDetails(ctx.req, ctx.res));
  }

  /** The step of this request; a page that is not in this step is sent to the one that is. */
  async function load(ctx: Context, details: InteractionDetails): Promise<StepContext | undefined> {
    const decision = (details.prompt.details as { secondFactor?: SecondFactorDecision }).secondFactor;
    const accountId = details.session?.accountId;
    const facts = details.prompt.name === 'second_factor' && decision && accountId ? await deps.signInFacts.forAccount(ctx, accountId) : undefined;
    if (!decision || !facts) {
      seeOther(ctx, details.prompt.name === 'second_factor' ? `/interaction/${details.uid}/abort` : `/interaction/${details.uid}`);
      return undefined;
    }
    const attempt: SecondFactorAttempt = {
      interactionUid: details.uid,
      user: facts.user,
      tenant: () => facts.tenant(),
      request: { ip: ctx.ip, userAgent: ctx.get('user-agent'), clientId: String(details.params.client_id) },
    };
    return { details, decision, facts, attempt };
  }

  /**
   * The step is locked (too many wrong codes, on every method): until when, and the way back to
   * the application (an OAuth error it can act on), never an error dump.
   */
  async function renderLocked(ctx: Context, step: StepContext, until: Date): Promise<void> {
    ctx.set('Retry-After', String(Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000))));
    // The person is known here, so the time is in their organisation's time zone.
    const timeZone = (await step.facts.tenant()).settings.time_zone;
    ctx.status = 429;
    ctx.type = 'html';
    ctx.body = renderMessage({
      title: t('second_factor.locked_title'),
      alert: true,
      message: t('second_factor.locked', { until: pageClock(until, new Date(), timeZone), wait: pageMinutesUntil(until, new Date()) }),
      linkUrl: `/interaction/${step.details.uid}/abort`,
      linkText: t('common.return_to_application'),
      errorId: currentRequestId(),
    });
  }

  function render(ctx: Context, step: StepContext, state: SecondFactorState, view: { error?: string; notice?: string; exhausted?: boolean; code?: string; errorField?: null } = {}, status = 200): void {
    const uid = step.details.uid;
    if (view.exhausted && state.state === 'challenge') {
      // This code ran out of tries: a new one, another way, or back to the application.
      ctx.status = status;
      ctx.type = 'html';
      ctx.body = renderPage('code-entry', {
        title: t('second_factor.exhausted_title'),
        error: t('second_factor.exhausted'),
        intro: t('second_factor.exhausted_next'),
        showCodeForm: false,
        canResend: false,
        nextUrl: `/interaction/${uid}`,
        nextText: state.method === 'sms' ? t('second_factor.send_new_code_page') : t('common.try_again'),
        switchAction: `/interaction/${uid}/second-factor/method`,
        alternatives: state.alternatives.map((method) => ({ method, label: t(ANOTHER_WAY[method]) })),
        abortUrl: `/interaction/${uid}/abort`,
        abortText: t('common.return_to_application'),
      });
      return;
    }
    const page = (name: Parameters<typeof renderPage>[0], data: Record<string, unknown>) => {
      ctx.status = status;
      ctx.type = 'html';
      // A code page's error is about its code field, which has the focus either way.
      ctx.body = renderPage(name, { abortUrl: `/interaction/${uid}/abort`, bypassAction: step.decision.bypassAvailable ? `/interaction/${uid}/second-factor/bypass` : undefined, focus: 'code', errorField: 'code', ...data, ...view });
    };
    switch (state.state) {
      case 'challenge':
        if (state.method === 'passkey') {
          return page('passkey', {
            title: t('second_factor.passkey_title'),
            intro: t('second_factor.passkey_intro'),
            button: t('second_factor.passkey_button'),
            ceremony: 'authenticate',
            optionsJson: scriptJson(deps.secondFactor.passkeyOptions(state.challenge)),
            action: `/interaction/${uid}/second-factor`,
            switchAction: `/interaction/${uid}/second-factor/method`,
            alternatives: state.alternatives.map((method) => ({ method, label: t(ANOTHER_WAY[method]) })),
          });
        }
        return page('code-entry', {
          ...CHALLENGE_TEXT[state.method](state.challenge),
          ...(state.delayed ? { intro: t('second_factor.sms_intro_delayed', { last: phoneLastDigits(state.challenge.destination) }), notice: t(DELAYED_NOTICE) } : {}),
          action: `/interaction/${uid}/second-factor`,
          canResend: state.method === 'sms',
          resendWait: state.resendWait,
          offerShared: true,
          switchAction: `/interaction/${uid}/second-factor/method`,
          alternatives: state.alternatives.map((method) => ({ method, label: t(ANOTHER_WAY[method]) })),
        });
      case 'email_gate':
        return page('code-entry', {
          title: t('second_factor.email_gate_title'),
          intro: t('second_factor.email_gate_intro', { email: maskEmail(state.challenge.destination) }),
          label: t('second_factor.email_gate_label'),
          action: `/interaction/${uid}/second-factor`,
          resendWait: state.resendWait,
        });
      case 'confirm_phone':
        return page('code-entry', { ...CHALLENGE_TEXT.sms(state.challenge), action: `/interaction/${uid}/second-factor`, resendWait: state.resendWait });
      case 'enter_phone':
        return renderEnrollment(ctx, step, { ...view, alternatives: state.alternatives }, status);
      case 'passkey_setup':
        return page('passkey', {
          title: t('second_factor.passkey_setup_title'),
          intro: t('second_factor.passkey_setup_intro'),
          button: t('second_factor.passkey_setup_button'),
          ceremony: 'register',
          optionsJson: scriptJson(deps.secondFactor.passkeyOptions(state.challenge)),
          action: `/interaction/${uid}/second-factor`,
          switchAction: `/interaction/${uid}/second-factor/setup`,
          alternativesLabel: t('second_factor.set_up_another_way'),
          alternatives: state.alternatives.filter((m) => m !== 'sms').map((method) => ({ method, label: t(SET_UP_INSTEAD[method]) })),
        });
      case 'totp_setup':
        return page('totp-setup', {
          action: `/interaction/${uid}/second-factor`,
          qrSvg: state.setup.qrSvg,
          secret: state.setup.secret,
          phoneAction: state.alternatives.includes('sms') ? `/interaction/${uid}/second-factor/phone` : undefined,
          setupAction: `/interaction/${uid}/second-factor/setup`,
          setupInstead: state.alternatives.filter((m) => m !== 'sms').map((method) => ({ method, label: t(SET_UP_INSTEAD[method]) })),
        });
      case 'warn_no_phone':
        return page('mfa-warning', { continueAction: `/interaction/${uid}/second-factor/continue`, addPhoneAction: `/interaction/${uid}/second-factor/add-phone` });
      case 'no_contact':
        return message(ctx, 409, t('second_factor.no_contact_title'), t('second_factor.no_contact'), `/interaction/${uid}/abort`, t('common.cancel_sign_in'));
      case 'cannot_send':
        if (state.alternatives.length) {
          // Not a dead end: the person has other ways in.
          return page('code-entry', {
            title: t('second_factor.cannot_send_title'),
            intro: refusalText(state),
            showCodeForm: false,
            canResend: false,
            switchAction: `/interaction/${uid}/second-factor/method`,
            alternatives: state.alternatives.map((method) => ({ method, label: t(ANOTHER_WAY[method]) })),
          });
        }
        return message(ctx, state.reason === 'budget_exhausted' ? 503 : 429, t('second_factor.cannot_send_title'), refusalText(state), `/interaction/${uid}`, t('common.try_again'));
      case 'not_started':
        return seeOther(ctx, `/interaction/${uid}`);
    }
  }

  function renderEnrollment(ctx: Context, step: StepContext, view: { phone?: string; error?: string; alternatives?: EnrollableMethod[] }, status = 200): void {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = renderPage('phone-enroll', {
      focus: 'phone',
      errorField: 'phone',
      action: `/interaction/${step.details.uid}/second-factor/phone`,
      abortUrl: `/interaction/${step.details.uid}/abort`,
      bypassAction: step.decision.bypassAvailable ? `/interaction/${step.details.uid}/second-factor/bypass` : undefined,
      setupAction: `/interaction/${step.details.uid}/second-factor/setup`,
      setupInstead: (view.alternatives ?? (step.decision.enrollable.filter((m) => m !== 'sms') as EnrollableMethod[])).filter((m) => m !== 'sms').map((method) => ({ method, label: t(SET_UP_INSTEAD[method]) })),
      ...view,
    });
  }

  return { show, register };
}

export type SecondFactorPages = ReturnType<typeof createSecondFactorPages>;

/** What each method's challenge page says, in the page's language. */
const CHALLENGE_TEXT: Record<MethodId, (challenge: Challenge) => Record<string, string>> = {
  sms: (challenge) => ({
    title: t('second_factor.sms_title'),
    intro: t('second_factor.sms_intro', { last: phoneLastDigits(challenge.destination) }),
    label: t('second_factor.sms_label'),
  }),
  totp: () => ({ title: t('second_factor.totp_title'), intro: t('second_factor.totp_intro'), label: t('second_factor.totp_label') }),
  recovery_code: () => ({ title: t('second_factor.recovery_title'), intro: t('second_factor.recovery_intro'), label: t('second_factor.recovery_label'), inputmode: 'text' }),
  passkey: () => ({ title: t('second_factor.passkey_title'), intro: t('second_factor.passkey_intro_short'), label: t('second_factor.passkey_label') }),
};

/** The buttons that set up another method instead (catalog keys). */
const SET_UP_INSTEAD: Record<EnrollableMethod, string> = {
  sms: 'second_factor.set_up_sms',
  totp: 'second_factor.set_up_totp',
  passkey: 'second_factor.set_up_passkey',
};

/** The buttons of "Try another way" (catalog keys). */
const ANOTHER_WAY: Record<MethodId, string> = {
  sms: 'second_factor.use_sms',
  totp: 'second_factor.use_totp',
  recovery_code: 'second_factor.use_recovery_code',
  passkey: 'second_factor.use_passkey',
};

/** The provider has not confirmed the text yet: say so rather than "we sent a code" (catalog key). */
const DELAYED_NOTICE = 'second_factor.delayed';

function message(ctx: Context, status: number, title: string, text: string, linkUrl: string, linkText: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = renderMessage({ title, alert: true, message: text, linkUrl, linkText });
}

function refusalText(refusal: { reason: SendRefusal; retryAfterSeconds?: number }): string {
  switch (refusal.reason) {
    case 'budget_exhausted':
      return t('second_factor.budget_exhausted');
    case 'too_soon':
      return t('common.wait_before_new_code', { seconds: refusal.retryAfterSeconds });
    case 'number_limit':
    case 'user_limit':
    case 'ip_limit':
    case 'too_many_codes':
      return t('second_factor.too_many_codes', { minutes: Math.ceil((refusal.retryAfterSeconds ?? 3600) / 60) });
    case 'country_not_allowed':
      return t('second_factor.number_country_not_allowed');
    case 'invalid_phone':
      return t('second_factor.profile_phone_invalid');
    case 'delivery_failed':
      return t('second_factor.delivery_failed');
  }
}

function form(ctx: Context): Record<string, string | undefined> {
  const body = (ctx.request.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
}
