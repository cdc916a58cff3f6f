import type { SecondFactorDecision, SecondFactorService } from '../second-factor/second-factor.service.js';
import type { SignInFacts } from './sign-in-facts.js';

/** What the person has done in this sign-in so far (from the provider's session and result). */
export interface SignInProgress {
  /** How the session's sign-in was made so far (RFC 8176 values: `pwd`, `sms`). */
  amr?: string[];
  /** The password was typed in this same authorization request (not an earlier session). */
  passwordEnteredNow: boolean;
  /** On the optional-mode warning: went on without a phone, or chose to add one. */
  warningAcknowledged?: boolean;
  addPhoneChosen?: boolean;
  /** An administrator's one-time pass was used for this sign-in's second step. */
  secondFactorBypassed?: boolean;
}

/** The steps a sign-in still owes after the password, in the order they are asked. */
export interface PendingSteps {
  secondFactor?: SecondFactorDecision;
  /** A temporary password must be replaced before any token. */
  passwordChange: boolean;
}

/**
 * The one place that decides what a sign-in still needs, from facts loaded once: the interaction
 * policy asks it (and hands the decision to the page), and every page asks it after its own
 * step to know whether the sign-in is now complete.
 */
export class SignInFlow {
  constructor(private readonly secondFactor: SecondFactorService) {}

  async pending(facts: SignInFacts, progress: SignInProgress): Promise<PendingSteps> {
    const decision = await this.secondFactor.decide(facts, progress);
    return { secondFactor: decision.step === 'none' ? undefined : decision, passwordChange: facts.user.password_temporary };
  }

  static isComplete(steps: PendingSteps): boolean {
    return !steps.secondFactor && !steps.passwordChange;
  }
}
