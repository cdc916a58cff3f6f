import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * Numeric one-time codes (email recovery, SMS second factor). Stored as keyed hashes bound to
 * their flow, so a database reader learns nothing and a code of one flow is useless in another.
 * Hashed with the newest key and checked against every configured key, so rotating the keys
 * never breaks a code in flight.
 */
export class OneTimeCodes {
  private readonly keys: Buffer[];

  constructor(keys: Buffer | Buffer[]) {
    this.keys = Array.isArray(keys) ? keys : [keys];
    if (this.keys.length === 0) throw new Error('one-time codes need at least one key');
  }

  generate(digits = 6): string {
    return String(randomInt(0, 10 ** digits)).padStart(digits, '0');
  }

  hash(flowId: string, code: string): string {
    return this.hashWith(this.keys[0]!, flowId, code);
  }

  /**
   * A pasted code may carry spaces or dashes ("123 456", "123-456"): they are not part of it.
   * `exact`: a machine-made value (a WebAuthn challenge) compared as it is.
   */
  matches(flowId: string, presented: string, storedHash: string | null, exact = false): boolean {
    const code = exact ? presented : normalizeCode(presented);
    if (!storedHash) {
      // Spend the same work as a real comparison.
      for (const key of this.keys) this.hashWith(key, flowId, code);
      return false;
    }
    const expected = Buffer.from(storedHash, 'hex');
    let found = false;
    for (const key of this.keys) {
      const actual = Buffer.from(this.hashWith(key, flowId, code), 'hex');
      // Every key is tried, match or not: the time does not tell which key matched.
      if (actual.length === expected.length && timingSafeEqual(actual, expected)) found = true;
    }
    return found;
  }

  /** The hash of `code` under every configured key (to look a stored hash up by value). */
  hashesWithEveryKey(flowId: string, code: string): string[] {
    return this.keys.map((key) => this.hashWith(key, flowId, normalizeCode(code)));
  }

  private hashWith(key: Buffer, flowId: string, code: string): string {
    return createHmac('sha256', key).update(`${flowId}:${code}`).digest('hex');
  }
}

export function normalizeCode(presented: string): string {
  return presented.replace(/[\s\-\u2010-\u2015]/g, '');
}
