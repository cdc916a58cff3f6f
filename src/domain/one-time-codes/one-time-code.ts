import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * Numeric one-time codes (email recovery, SMS second factor). Stored as keyed hashes bound to
 * their flow, so a database reader learns nothing and a code of one flow is useless in another.
 */
export class OneTimeCodes {
  constructor(private readonly key: Buffer) {}

  generate(digits = 6): string {
    return String(randomInt(0, 10 ** digits)).padStart(digits, '0');
  }

  hash(flowId: string, code: string): string {
    return createHmac('sha256', this.key).update(`${flowId}:${code}`).digest('hex');
  }

  matches(flowId: string, presented: string, storedHash: string | null): boolean {
    if (!storedHash) {
      // Spend the same work as a real comparison.
      this.hash(flowId, presented);
      return false;
    }
    const actual = Buffer.from(this.hash(flowId, presented.trim()), 'hex');
    const expected = Buffer.from(storedHash, 'hex');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}
