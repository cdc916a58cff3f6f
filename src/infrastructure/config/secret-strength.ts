/**
 * Whether a secret someone generated (a cookie key, an operator client secret) looks random
 * enough to rely on. It cannot prove randomness; it refuses what is evidently not random: one
 * character or a short unit repeated, a placeholder left in, or too few bits by a character-
 * frequency estimate (a 32-character hex key from `openssl rand -hex 16` estimates about 117
 * bits, base64 from `openssl rand -base64 32` about 200, 32 times the same character 0).
 *
 * The estimate of a random key varies from draw to draw: of two million 32-character hex keys
 * the lowest came to 87.5 bits, and one in 100,000 below 92.5. A bar at 90 refused about one
 * such key in a million (a CI run drew one, at 89); at 80 a key drawn as these tools draw it
 * passes, while 20 hex characters (about 66), two characters mixed (32 at most) and the rest of
 * the evidently weak stay below it.
 */
export const MIN_ESTIMATED_BITS = 80;

const PLACEHOLDERS = /change-?me|changeit|example|placeholder|replace-?me|your[-_ ]?(secret|key)|^secret|^password/i;

export function secretWeakness(secret: string): string | undefined {
  if (/^(.+?)\1+$/s.test(secret)) return 'is one short sequence repeated';
  if (PLACEHOLDERS.test(secret)) return 'looks like a placeholder';
  const bits = estimatedBits(secret);
  if (bits < MIN_ESTIMATED_BITS) return `has too little randomness (about ${Math.floor(bits)} bits, at least ${MIN_ESTIMATED_BITS} needed)`;
  return undefined;
}

/** Length times the Shannon entropy of the secret's own character frequencies. */
export function estimatedBits(secret: string): number {
  const characters = [...secret];
  const counts = new Map<string, number>();
  for (const character of characters) counts.set(character, (counts.get(character) ?? 0) + 1);
  let perCharacter = 0;
  for (const count of counts.values()) {
    const p = count / characters.length;
    perCharacter -= p * Math.log2(p);
  }
  return perCharacter * characters.length;
}
