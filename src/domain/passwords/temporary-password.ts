import { randomInt } from 'node:crypto';

// No look-alikes (0/O, 1/l/I): people type temporary passwords from an email.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random temporary password (~94 bits at 16 characters) that meets the policy. */
export function generateTemporaryPassword(minLength: number): string {
  const length = Math.max(16, minLength);
  let password = '';
  for (let i = 0; i < length; i++) password += ALPHABET[randomInt(ALPHABET.length)];
  return password;
}
