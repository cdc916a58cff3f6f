import type { Router, RouterContext } from '@koa/router';
import type { Context } from 'koa';
import { maskEmail, phoneLastDigits } from '../../../domain/users/contact-masking.js';
import type { UserRecord } from '../../../domain/users/user.js';
import { ensureDeviceHash, readDeviceHash } from '../../../infrastructure/http/device-cookie.js';
import { renderMessage, renderPage } from '../rendering/page-renderer.js';
import type { RequestContext, SecondFactorService, SendOutcome } from '../../../domain/second-factor/second-factor.service.js';
import type { SmsChallenge } from '../../../domain/second-factor/sms-challenge.repository.js';
import type { TenantRepository } from '../../../domain/tenants/tenant.repository.js';
import type { TenantRecord } from '../../../domain/tenants/tenant.js';
import type { InteractionDependencies } from '../interaction-context.js';
import { seeOther } from '../login/complete-sign-in.js';
import { REFUSAL_WORDING } from '../../oidc/refusal-wording.js';

export interface SecondFactorPageDependencies extends InteractionDependencies {
  secondFactor: SecondFactorService;
  tenants: TenantRepository;
}

type Details = Awaited<ReturnType<InteractionDependencies['provider']['interactionDetails']>>;

/**
 * The `second_factor` prompt's pages: the SMS code, adding a phone (after an emailed code when
 * it is not the first sign-in), and the warning for `optional` tenants.
 */
export function createSecondFactorPages(deps: SecondFactorPageDependencies) {
  const base = '/interaction/:uid/second-factor';

  /** GET /interaction/:uid while the `second_factor` prompt is pending: whatever step is due. */
  async function show(ctx: Context, details: Details): Promise<void> {
    const user = await deps.users.findById(String(details.session?.accountId));
    if (!user) return seeOther(ctx, `/interaction/${details.uid}/abort`);
    const tenant = (await deps.tenants.findById(user.tenant_id))!;
    const step = await deps.secondFactor.stepFor(user, tenant, { amr: details.session?.amr as string[] | undefined, deviceHash: readDeviceHash(ctx) });
    const wantsPhone = ctx.query.add === '1' || step.step === 'enroll';

    if (step.step === 'code' && !wantsPhone) {
      const open = await deps.secondFactor.openStep(details.uid, user, 'sign_in');
      if (open) return renderCode(ctx, details, open, {});
      const outcome = await deps.secondFactor.startSignInCode(details.uid, user, tenant, request(ctx, details));
      return outcome.sent ? renderCode(ctx, details, outcome.challenge, {}) : refusalPage(ctx, details, outcome);
    }
    if (wantsPhone) {
      const enrolling = await deps.secondFactor.openStep(details.uid, user, 'enroll');
      if (enrolling) return renderCode(ctx, details, enrolling, {});
      if (deps.secondFactor.emailGateNeeded(user, Boolean(details.lastSubmission?.login)) && !(await deps.secondFactor.emailGatePassed(details.uid, user))) {
        // A stolen password alone must never bind a thief's phone: prove the mailbox first.
        const gate = (await deps.secondFactor.openStep(details.uid, user, 'email_gate')) ?? (await deps.secondFactor.startEmailGate(details.uid, user, tenant));
        if (!gate) {
          ctx.status = 409;
          ctx.type = 'html';
          ctx.body = renderMessage({ title: 'A mobile number is needed', alert: true, message: "Your organisation requires a code by text message, and your profile has neither a mobile number nor an email address. Ask your organisation's administrator to add your number.", linkUrl: `/interaction/${details.uid}/abort`, linkText: 'Cancel sign-in' });
          return;
        }
        return renderCode(ctx, details, gate, {});
      }
      return renderEnrollment(ctx, details, {});
    }
    ctx.type = 'html';
    ctx.body = renderPage('mfa-warning', { continueAction: `/interaction/${details.uid}/second-factor/continue`, addPhoneUrl: `/interaction/${details.uid}?add=1` });
  }

  function register(router: Router): void {
    router.post(base, async (ctx) => {
      const state = await load(ctx);
      if (!state) return;
      const { details, user, tenant } = state;
      const purpose = ctx.query.step === 'enroll' ? 'enroll' : ctx.query.step === 'email' ? 'email_gate' : 'sign_in';
      const challenge = await deps.secondFactor.openStep(details.uid, user, purpose);
      if (!challenge) return seeOther(ctx, `/interaction/${details.uid}${purpose === 'sign_in' ? '' : '?add=1'}`);
      const body = form(ctx);

      if (body.action === 'resend') {
        const outcome = await deps.secondFactor.resend(challenge, user, tenant, request(ctx, details));
        if (!outcome.sent && !outcome.challenge) return refusalPage(ctx, details, outcome);
        const latest = outcome.challenge ?? challenge;
        return renderCode(ctx, details, latest, outcome.sent ? { notice: 'We sent a new code. Only the newest code works.' } : refusalText(outcome), outcome.sent ? 200 : 429);
      }

      const result = await deps.secondFactor.verify(challenge, (body.code ?? '').slice(0, 16), user, request(ctx, details));
      if (result.ok) {
        if (challenge.purpose === 'email_gate') return seeOther(ctx, `/interaction/${details.uid}?add=1`);
        await deps.secondFactor.confirmPhone(challenge, user, tenant, ensureDeviceHash(ctx, deps.secureCookies));
        const url = await deps.provider.interactionResult(ctx.req, ctx.res, { login: { accountId: user.id, amr: ['pwd', 'sms'] } }, { mergeWithLastSubmission: true });
        return seeOther(ctx, url);
      }
      switch (result.reason) {
        case 'wrong_code':
          return renderCode(ctx, details, challenge, { error: `That code is not right. ${result.triesLeft} ${result.triesLeft === 1 ? 'try' : 'tries'} left.` }, 400);
        case 'code_expired':
          return renderCode(ctx, details, challenge, { error: 'That code has expired. Press "Send new code".' }, 400);
        case 'too_many_attempts': {
          // Too many wrong codes end this sign-in attempt (and count toward the lockout).
          const url = await deps.provider.interactionResult(ctx.req, ctx.res, { error: 'access_denied', error_description: REFUSAL_WORDING.too_many_wrong_codes }, { mergeWithLastSubmission: false });
          return seeOther(ctx, url);
        }
        case 'closed':
          return seeOther(ctx, `/interaction/${details.uid}`);
      }
    });

    router.post(`${base}/phone`, async (ctx) => {
      const state = await load(ctx);
      if (!state) return;
      const { details, user, tenant } = state;
      if (deps.secondFactor.emailGateNeeded(user, Boolean(details.lastSubmission?.login)) && !(await deps.secondFactor.emailGatePassed(details.uid, user))) return seeOther(ctx, `/interaction/${details.uid}?add=1`);
      const phone = (form(ctx).phone ?? '').trim().slice(0, 40);
      const outcome = await deps.secondFactor.startEnrollment(details.uid, user, tenant, phone, request(ctx, details));
      if (outcome.sent) return seeOther(ctx, `/interaction/${details.uid}?add=1`);
      if (outcome.reason === 'invalid_phone' || outcome.reason === 'country_not_allowed') {
        return renderEnrollment(ctx, details, { phone, error: outcome.reason === 'invalid_phone' ? 'That is not a valid mobile number. Check it and include the country code if it is from abroad.' : 'Text messages cannot be sent to numbers of that country for your organisation. Use another number or ask your administrator.' }, 400);
      }
      return refusalPage(ctx, details, outcome);
    });

    router.post(`${base}/continue`, async (ctx) => {
      const state = await load(ctx);
      if (!state) return;
      const url = await deps.provider.interactionResult(ctx.req, ctx.res, { second_factor: { acknowledged: true } }, { mergeWithLastSubmission: true });
      seeOther(ctx, url);
    });

  }

  async function load(ctx: RouterContext): Promise<{ details: Details; user: UserRecord; tenant: TenantRecord } | undefined> {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    const user = details.prompt.name === 'second_factor' ? await deps.users.findById(String(details.session?.accountId)) : undefined;
    if (!user) {
      seeOther(ctx, `/interaction/${details.uid}`);
      return undefined;
    }
    return { details, user, tenant: (await deps.tenants.findById(user.tenant_id))! };
  }

  function renderCode(ctx: Context, details: Details, challenge: SmsChallenge, view: { error?: string; notice?: string }, status = 200): void {
    const email = challenge.purpose === 'email_gate';
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = renderPage('code-entry', {
      title: email ? 'Confirm it is you' : 'Enter the code we texted you',
      intro: email
        ? `To add or change your mobile number, enter the 6-digit code we emailed to ${maskEmail(challenge.destination)}.`
        : `We sent a 6-digit code by text message to the number ending in ${phoneLastDigits(challenge.destination)}. It is valid for 5 minutes.`,
      label: email ? 'Code from the email' : 'Code from the text message',
      action: `/interaction/${details.uid}/second-factor${challenge.purpose === 'sign_in' ? '' : `?step=${email ? 'email' : 'enroll'}`}`,
      resendWait: deps.secondFactor.secondsUntilResend(challenge),
      abortUrl: `/interaction/${details.uid}/abort`,
      ...view,
    });
  }

  function renderEnrollment(ctx: Context, details: Details, view: { phone?: string; error?: string }, status = 200): void {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = renderPage('phone-enroll', { action: `/interaction/${details.uid}/second-factor/phone`, abortUrl: `/interaction/${details.uid}/abort`, ...view });
  }

  function refusalPage(ctx: Context, details: Details, outcome: Extract<SendOutcome, { sent: false }>): void {
    ctx.status = outcome.reason === 'budget_exhausted' ? 503 : 429;
    ctx.type = 'html';
    ctx.body = renderMessage({ title: 'We could not send a code', alert: true, message: refusalText(outcome).error, linkUrl: `/interaction/${details.uid}`, linkText: 'Try again' });
  }

  return { show, register };
}

export type SecondFactorPages = ReturnType<typeof createSecondFactorPages>;

function refusalText(outcome: Extract<SendOutcome, { sent: false }>): { error: string } {
  switch (outcome.reason) {
    case 'budget_exhausted':
      return { error: "Your organisation's text-message budget for this month is used up, so no code can be sent. Contact your organisation's administrator." };
    case 'too_soon':
      return { error: `Wait ${outcome.retryAfterSeconds} seconds before asking for another code.` };
    case 'number_limit':
    case 'user_limit':
    case 'ip_limit':
    case 'too_many_codes':
      return { error: `Too many codes were sent. Try again in ${Math.ceil((outcome.retryAfterSeconds ?? 3600) / 60)} minutes, or contact your administrator.` };
    case 'country_not_allowed':
      return { error: 'Text messages cannot be sent to this number for your organisation. Ask your administrator to correct your number.' };
    case 'invalid_phone':
      return { error: 'The mobile number on your profile is not valid. Ask your administrator to correct it.' };
    case 'delivery_failed':
      return { error: 'The text message could not be sent. Press "Send new code" in a moment.' };
  }
}

function form(ctx: Context): Record<string, string | undefined> {
  const body = (ctx.request.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
}

function request(ctx: Context, details: Details): RequestContext {
  return { ip: ctx.ip, userAgent: ctx.get('user-agent'), clientId: String(details.params.client_id) };
}

