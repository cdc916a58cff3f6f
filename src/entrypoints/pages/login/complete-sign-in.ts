import type { Context } from 'koa';
import type { SignInFacts } from '../../../domain/sign-in/sign-in-facts.js';
import { SignInFlow, type SignInProgress } from '../../../domain/sign-in/sign-in-flow.js';
import { ensureDeviceHash } from '../../../infrastructure/http/device-cookie.js';
import { grantFirstPartyScopes } from '../consent/first-party-grant.js';
import type { InteractionDependencies, InteractionDetails } from '../interaction-context.js';
import { signInSource } from '../sign-in-source.js';
import { REFUSAL_WORDING } from '../../oidc/refusal-wording.js';
import { acrFor } from '../../oidc/acr.js';

/**
 * Ends the first step of an authorization request (a password, or a passkey: `amr`): the user
 * is known, so the provider may go on (to the next prompt, or back to the client). The session
 * outlives the browser only when the person chose "Stay signed in on this device" (`remember`). Used by the
 * login form, a passkey sign-in and a completed password reset, so all end the same way.
 */
export async function finishPasswordStep(ctx: Context, deps: InteractionDependencies, details: InteractionDetails, facts: SignInFacts, amr: string[] = ['pwd'], options: { remember?: boolean } = {}): Promise<void> {
  const { user } = facts;
  const client = await deps.provider.Client.find(String(details.params.client_id));
  const source = signInSource(ctx, client);
  if (!deps.signInCompletion.admits(user, client, source)) {
    const url = await deps.provider.interactionResult(ctx.req, ctx.res, {
      error: 'access_denied',
      error_description: REFUSAL_WORDING.client_of_another_tenant,
    });
    return seeOther(ctx, url);
  }
  const grantId = await grantFirstPartyScopes(deps.provider, details, user);
  await completeIfLastStep(ctx, deps, details, facts, { amr, passwordEnteredNow: true });
  const url = await deps.provider.interactionResult(ctx.req, ctx.res, { login: { accountId: user.id, amr, acr: acrFor(amr), remember: options.remember === true }, consent: { grantId } }, { mergeWithLastSubmission: false });
  seeOther(ctx, url);
}

/**
 * After any step of the sign-in: when nothing else is due, the sign-in is complete and its
 * bookkeeping runs now (the provider then issues the code without asking Gatehouse again).
 */
export async function completeIfLastStep(ctx: Context, deps: InteractionDependencies, details: InteractionDetails, facts: SignInFacts, progress: SignInProgress): Promise<void> {
  if (!SignInFlow.isComplete(await deps.signInFlow.pending(facts, progress))) return;
  const client = await deps.provider.Client.find(String(details.params.client_id));
  await deps.signInCompletion.complete(facts, {
    deviceHash: ensureDeviceHash(ctx, deps.secureCookies),
    source: signInSource(ctx, client),
    clientName: client?.clientName ?? String(details.params.client_id),
    amr: progress.amr ?? [],
  });
}

/** What the provider knows of this sign-in so far, as a page sees it. */
export function progressOf(details: InteractionDetails, change: Partial<SignInProgress> = {}): SignInProgress {
  const choice = (details.lastSubmission as { second_factor?: { acknowledged?: boolean; add_phone?: boolean; bypassed?: boolean } } | undefined)?.second_factor;
  return {
    amr: details.session?.amr as string[] | undefined,
    passwordEnteredNow: Boolean(details.lastSubmission?.login),
    warningAcknowledged: choice?.acknowledged === true,
    addPhoneChosen: choice?.add_phone === true,
    secondFactorBypassed: choice?.bypassed === true,
    ...change,
  };
}

/** After a form POST, continue with a GET. */
export function seeOther(ctx: Context, url: string): void {
  ctx.status = 303;
  ctx.redirect(url);
}
