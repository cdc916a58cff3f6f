import type { Router, RouterContext } from '@koa/router';
import type { Context } from 'koa';
import type { SecondFactorAttempt, SendRefusal } from '../../../domain/second-factor/second-factor-method.js';
import type { SecondFactorDecision, SecondFactorService, SecondFactorState } from '../../../domain/second-factor/second-factor.service.js';
import type { SignInFacts } from '../../../domain/sign-in/sign-in-facts.js';
import { maskEmail, phoneLastDigits } from '../../../domain/users/contact-masking.js';
import { clock, minutesUntil } from '../../../infrastructure/formatting/human-time.js';
import { ensureDeviceHash } from '../../../infrastructure/http/device-cookie.js';
import { renderMessage, renderPage } from '../rendering/page-renderer.js';
import type { InteractionDependencies, InteractionDetails } from '../interaction-context.js';
import { completeIfLastStep, progressOf, seeOther } from '../login/complete-sign-in.js';

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
        if (outcome.sent) return render(ctx, step, now, { notice: outcome.delayed ? DELAYED_NOTICE : 'We sent a new code. Only the newest code works.' });
        if (outcome.reason === 'too_soon') return render(ctx, step, now, { error: refusalText(outcome) }, 429);
        return render(ctx, step, { state: 'cannot_send', reason: outcome.reason, retryAfterSeconds: outcome.retryAfterSeconds });
      }

      const result = await deps.secondFactor.submitCode(step.attempt, state, (body.code ?? '').slice(0, 32), () => ensureDeviceHash(ctx, deps.secureCookies));
      switch (result.outcome) {
        case 'passed': {
          const amr = [...new Set([...((step.details.session?.amr as string[] | undefined) ?? ['pwd']), result.amr])];
          await completeIfLastStep(ctx, deps, step.details, step.facts, progressOf(step.details, { amr }));
          const url = await deps.provider.interactionResult(ctx.req, ctx.res, { login: { accountId: step.facts.user.id, amr } }, { mergeWithLastSubmission: true });
          return seeOther(ctx, url);
        }
        case 'email_proven':
        case 'no_code_expected':
          return seeOther(ctx, `/interaction/${step.details.uid}`);
        case 'locked':
          ctx.set('Retry-After', String(Math.max(1, Math.ceil((result.until.getTime() - Date.now()) / 1000))));
          return message(ctx, 429, 'Sign-in is temporarily locked', `Too many wrong codes: sign-in is locked until ${clock(result.until, new Date())} (${minutesUntil(result.until, new Date())}). Try again then.`, `/interaction/${step.details.uid}/abort`, 'Cancel sign-in');
        case 'refused':
          switch (result.result.reason) {
            case 'wrong_code':
              return render(ctx, step, result.state, { error: `That code is not right. ${result.result.triesLeft} ${result.result.triesLeft === 1 ? 'try' : 'tries'} left.` }, 400);
            case 'code_expired':
              return render(ctx, step, result.state, { error: 'That code has expired. Press "Send new code".' }, 400);
            case 'too_many_attempts': {
              // Too many wrong codes end this sign-in attempt (and count toward the lockout).
              const url = await deps.provider.interactionResult(ctx.req, ctx.res, { error: 'access_denied', error_description: 'too many wrong codes; sign in again' }, { mergeWithLastSubmission: false });
              return seeOther(ctx, url);
            }
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
          return renderEnrollment(ctx, step, { phone, error: 'That is not a valid mobile number. Check it and include the country code if it is from abroad.' }, 400);
        case 'country_not_allowed':
          return renderEnrollment(ctx, step, { phone, error: 'Text messages cannot be sent to numbers of that country for your organisation. Use another number or ask your administrator.' }, 400);
        default:
          return render(ctx, step, { state: 'cannot_send', reason: outcome.reason, retryAfterSeconds: outcome.retryAfterSeconds });
      }
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

  function render(ctx: Context, step: StepContext, state: SecondFactorState, view: { error?: string; notice?: string } = {}, status = 200): void {
    const uid = step.details.uid;
    switch (state.state) {
      case 'code':
      case 'email_gate':
      case 'confirm_phone': {
        const email = state.state === 'email_gate';
        ctx.status = status;
        ctx.type = 'html';
        ctx.body = renderPage('code-entry', {
          title: email ? 'Confirm it is you' : 'Enter the code we texted you',
          intro: email
            ? `To add or change your mobile number, enter the 6-digit code we emailed to ${maskEmail(state.challenge.destination)}.`
            : `We ${state.state === 'code' && state.delayed ? 'are sending' : 'sent'} a 6-digit code by text message to the number ending in ${phoneLastDigits(state.challenge.destination)}. It is valid for 5 minutes.`,
          label: email ? 'Code from the email' : 'Code from the text message',
          action: `/interaction/${uid}/second-factor`,
          resendWait: state.resendWait,
          abortUrl: `/interaction/${uid}/abort`,
          ...(state.state === 'code' && state.delayed ? { notice: DELAYED_NOTICE } : {}),
          ...view,
        });
        return;
      }
      case 'enter_phone':
        return renderEnrollment(ctx, step, view, status);
      case 'warn_no_phone':
        ctx.status = status;
        ctx.type = 'html';
        ctx.body = renderPage('mfa-warning', { continueAction: `/interaction/${uid}/second-factor/continue`, addPhoneAction: `/interaction/${uid}/second-factor/add-phone` });
        return;
      case 'no_contact':
        return message(ctx, 409, 'A mobile number is needed', "Your organisation requires a code by text message, and your profile has neither a mobile number nor an email address. Ask your organisation's administrator to add your number.", `/interaction/${uid}/abort`, 'Cancel sign-in');
      case 'cannot_send':
        return message(ctx, state.reason === 'budget_exhausted' ? 503 : 429, 'We could not send a code', refusalText(state), `/interaction/${uid}`, 'Try again');
      case 'not_started':
        return seeOther(ctx, `/interaction/${uid}`);
    }
  }

  function renderEnrollment(ctx: Context, step: StepContext, view: { phone?: string; error?: string }, status = 200): void {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = renderPage('phone-enroll', { action: `/interaction/${step.details.uid}/second-factor/phone`, abortUrl: `/interaction/${step.details.uid}/abort`, ...view });
  }

  return { show, register };
}

export type SecondFactorPages = ReturnType<typeof createSecondFactorPages>;

/** The provider has not confirmed the text yet: say so rather than "we sent a code". */
const DELAYED_NOTICE = 'The text-message service is slow to answer: your code is on its way and may take a minute to arrive. Only the newest code works.';

function message(ctx: Context, status: number, title: string, text: string, linkUrl: string, linkText: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = renderMessage({ title, alert: true, message: text, linkUrl, linkText });
}

function refusalText(refusal: { reason: SendRefusal; retryAfterSeconds?: number }): string {
  switch (refusal.reason) {
    case 'budget_exhausted':
      return "Your organisation's text-message budget for this month is used up, so no code can be sent. Contact your organisation's administrator.";
    case 'too_soon':
      return `Wait ${refusal.retryAfterSeconds} seconds before asking for another code.`;
    case 'number_limit':
    case 'user_limit':
    case 'ip_limit':
    case 'too_many_codes':
      return `Too many codes were sent. Try again in ${Math.ceil((refusal.retryAfterSeconds ?? 3600) / 60)} minutes, or contact your administrator.`;
    case 'country_not_allowed':
      return 'Text messages cannot be sent to this number for your organisation. Ask your administrator to correct your number.';
    case 'invalid_phone':
      return 'The mobile number on your profile is not valid. Ask your administrator to correct it.';
    case 'delivery_failed':
      return 'The text-message service refused to send the code to your number. Try again in a moment; if it fails again, ask your administrator to check your mobile number.';
  }
}

function form(ctx: Context): Record<string, string | undefined> {
  const body = (ctx.request.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
}
