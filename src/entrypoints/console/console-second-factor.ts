import type { Context } from 'koa';
import type { AccountSubject } from '../../domain/account/account-subject.js';
import type { FreshProof } from '../../domain/account/fresh-second-factor.js';
import { ACR, acrFor } from '../oidc/acr.js';
import type { SignedIn } from '../first-party/first-party-web-app.js';
import type { ConsoleDependencies } from './console-section.js';

/**
 * The second factor before a destructive action.
 *
 * `prompt=login` makes the person enter their password again, but a browser remembered for the
 * second factor skips that step, so the fresh authentication may be the password alone. Asking
 * the provider for more (`acr_values` with the multi-factor class) would not help here:
 * Gatehouse's sign-in decides the second step from the tenant's policy and the remembered
 * browser, and `acr_values` is only a voluntary claim request that the provider answers with
 * whatever `acr` the sign-in reached — forcing it would change the sign-in of every relying
 * party. The simpler honest way is the account page's own "confirm it is you"
 * (FreshSecondFactor: the same methods, challenges, five-try cap and lockout as the sign-in):
 * when the person has a second factor and the fresh sign-in's `amr` shows none, the console asks
 * for a code before the action, and keeps the proof for 5 minutes in its session.
 */

const PROOF = 'secondFactorProof';

/** The console's person as the "confirm it is you" challenges see them: scoped to this console session. */
export function consoleSubject(ctx: Context, signedIn: SignedIn, clientId: string): AccountSubject {
  return {
    user: signedIn.user,
    tenant: signedIn.tenant,
    source: { ip: ctx.ip, userAgent: ctx.get('user-agent') || null, clientId, clientKind: 'web' },
    scope: `console:${String(signedIn.session.state.scope ?? '')}`,
  };
}

/** The last fresh sign-in (its `amr`) included a second factor. */
function signedInWithSecondFactor(signedIn: SignedIn): boolean {
  const amr = Array.isArray(signedIn.session.state.amr) ? (signedIn.session.state.amr as string[]) : [];
  return acrFor(amr) === ACR.multiFactor;
}

export function secondFactorProof(signedIn: SignedIn): FreshProof | undefined {
  return signedIn.session.state[PROOF] as FreshProof | undefined;
}

export async function keepSecondFactorProof(deps: ConsoleDependencies, signedIn: SignedIn, proof: FreshProof): Promise<void> {
  await deps.webApp.save(signedIn, { [PROOF]: proof, confirming: undefined });
}

/**
 * Whether a destructive action must first ask for a second factor: their tenant uses second
 * factors, the person has one, their fresh sign-in did not use it, and no code was confirmed in this session in the last 5 minutes.
 */
export async function needsSecondFactor(ctx: Context, deps: ConsoleDependencies, signedIn: SignedIn): Promise<boolean> {
  // A tenant without second factors never asks for one at sign-in: there a phone number is contact data, not a factor.
  if (signedIn.tenant.settings.mfa.mode === 'off' || signedInWithSecondFactor(signedIn)) return false;
  const { freshSecondFactor } = deps.account;
  if (freshSecondFactor.isFreshFor(secondFactorProof(signedIn), 'none')) return false;
  return (await freshSecondFactor.available(consoleSubject(ctx, signedIn, deps.webApp.clientId))).length > 0;
}
