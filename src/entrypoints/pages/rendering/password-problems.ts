import { describePasswordProblem, type PasswordProblem } from '../../../domain/passwords/password-policy.js';
import { t } from './page-text.js';

/** A proposed password's problems as the page's sentences, in its language. */
export function passwordProblemTexts(problems: readonly PasswordProblem[]): string[] {
  return problems.map((problem) => describePasswordProblem(problem, t));
}
