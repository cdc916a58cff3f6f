import type { KoaContextWithOIDC } from 'oidc-provider';
import type { SignInProgress } from '../../domain/sign-in/sign-in-flow.js';

/** The choices a page records in the interaction result for the policy to read. */
export interface SecondFactorChoice {
  acknowledged?: boolean;
  add_phone?: boolean;
  bypassed?: boolean;
}

/** What the provider knows of this sign-in so far, as the sign-in flow reads it. */
export function signInProgress(ctx: KoaContextWithOIDC): SignInProgress {
  const result = ctx.oidc.result as { login?: unknown; second_factor?: SecondFactorChoice } | undefined;
  return {
    amr: ctx.oidc.session?.amr,
    passwordEnteredNow: Boolean(result?.login),
    warningAcknowledged: result?.second_factor?.acknowledged === true,
    addPhoneChosen: result?.second_factor?.add_phone === true,
    secondFactorBypassed: result?.second_factor?.bypassed === true,
  };
}
