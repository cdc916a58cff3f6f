import { dictionary } from '@zxcvbn-ts/language-common';
import { translator } from '../../infrastructure/i18n/translator.js';

/** DESIGN §7: 10 to 128 characters (tenants may ask for more), not common, not the username. */
export const PASSWORD_MAX_LENGTH = 128;

// zxcvbn-ts' list of ~49,000 common passwords, lower-cased for a case-blind look-up.
const COMMON_PASSWORDS = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));

export interface PasswordPolicyInput {
  password: string;
  username: string;
  minLength: number;
}

/** Which rule a proposed password breaks; `limit`: the length the rule asks for. */
export interface PasswordProblem {
  rule: 'too_short' | 'too_long' | 'common' | 'contains_username' | 'repeated';
  limit?: number;
}

/**
 * Every problem with a proposed password, each a rule that says what to fix (worded by the
 * catalogs' `password_policy.*`, in the reader's language). The same checks run on every path
 * that sets a password (reset, forced change, account page, administrator).
 */
export function passwordProblems({ password, username, minLength }: PasswordPolicyInput): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const length = [...password].length;
  if (length < minLength) problems.push({ rule: 'too_short', limit: minLength });
  if (length > PASSWORD_MAX_LENGTH) problems.push({ rule: 'too_long', limit: PASSWORD_MAX_LENGTH });
  const lowered = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered)) problems.push({ rule: 'common' });
  const name = username.trim().toLowerCase();
  if (name && (lowered === name || lowered.includes(name) && name.length >= 4)) problems.push({ rule: 'contains_username' });
  if (/^(.)\1+$/u.test(password)) problems.push({ rule: 'repeated' });
  return problems;
}

/** A problem as a sentence; English unless a page's translate function is given. */
export function describePasswordProblem(problem: PasswordProblem, translate = translator('en')): string {
  return translate(`password_policy.${problem.rule}`, problem.limit === undefined ? {} : { count: problem.limit });
}
