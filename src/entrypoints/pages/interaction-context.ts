import type Provider from 'oidc-provider';
import type { PasswordLoginService } from '../../domain/sign-in/password-login.service.js';
import type { SignInCompletion } from '../../domain/sign-in/sign-in-completion.service.js';
import type { SignInFactsLoader } from '../../domain/sign-in/sign-in-facts.js';
import type { SignInFlow } from '../../domain/sign-in/sign-in-flow.js';
import type { SignInService } from '../../domain/sign-in/sign-in.service.js';
import type { Logger } from '../../infrastructure/observability/logger.js';

/** What the hosted pages need, and nothing more. */
export interface InteractionDependencies {
  provider: Provider;
  signIn: SignInService;
  logger: Logger;
  /** The login form's password step, guarded by the lockout. */
  passwordLogin: PasswordLoginService;
  /** The facts of the person signing in, read once per request. */
  signInFacts: SignInFactsLoader;
  /** What the sign-in still needs after a step. */
  signInFlow: SignInFlow;
  /** Admission of a user by an application, and the bookkeeping of a complete sign-in. */
  signInCompletion: SignInCompletion;
  /** Mark cookies Secure (the issuer is https). */
  secureCookies: boolean;
}

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;
