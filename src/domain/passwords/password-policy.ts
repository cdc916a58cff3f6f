import { dictionary } from '@zxcvbn-ts/language-common';

/** DESIGN §7: 10 to 128 characters (tenants may ask for more), not common, not the username. */
export const PASSWORD_MAX_LENGTH = 128;

// zxcvbn-ts' list of ~49,000 common passwords, lower-cased for a case-blind look-up.
const COMMON_PASSWORDS = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));

export interface PasswordPolicyInput {
  password: string;
  username: string;
  minLength: number;
}

/**
 * Every problem with a proposed password, each a sentence that says what to fix. The same
 * checks run on every path that sets a password (reset, forced change, administrator).
 */
export function passwordProblems({ password, username, minLength }: PasswordPolicyInput): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < minLength) problems.push(`Use at least ${minLength} characters.`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`Use at most ${PASSWORD_MAX_LENGTH} characters.`);
  const lowered = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered)) problems.push('This password is too common; choose one that others are unlikely to use.');
  const name = username.trim().toLowerCase();
  if (name && (lowered === name || lowered.includes(name) && name.length >= 4)) problems.push('Do not use your username in the password.');
  if (/^(.)\1+$/u.test(password)) problems.push('Do not repeat a single character.');
  return problems;
}
